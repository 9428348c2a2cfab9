CREATE TABLE "capture_plans" (
	"contract_id" uuid NOT NULL,
	"segment_start" timestamp with time zone NOT NULL,
	"moments" jsonb NOT NULL,
	"activity" jsonb,
	"memo" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "capture_plans_contract_id_segment_start_pk" PRIMARY KEY("contract_id","segment_start")
);
--> statement-breakpoint
ALTER TABLE "capture_plans" ADD CONSTRAINT "capture_plans_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;