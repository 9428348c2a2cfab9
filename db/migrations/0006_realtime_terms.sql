CREATE TABLE "terms_milestones" (
	"contract_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"amount" bigint NOT NULL,
	"due_date" date NOT NULL,
	CONSTRAINT "terms_milestones_contract_id_version_position_pk" PRIMARY KEY("contract_id","version","position")
);
--> statement-breakpoint
CREATE TABLE "terms_versions" (
	"contract_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"proposed_by" uuid,
	"hash" varchar(64) NOT NULL,
	"canonical_json" text NOT NULL,
	"terms" jsonb NOT NULL,
	"snapshot" "bytea",
	"currency" varchar(3) NOT NULL,
	"price" bigint,
	"hourly_rate" bigint,
	"weekly_limit_minutes" integer,
	"manual_time_allowed" boolean NOT NULL,
	"scope" text NOT NULL,
	"client_accepted_at" timestamp with time zone,
	"freelancer_accepted_at" timestamp with time zone,
	"bound_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "terms_versions_contract_id_version_pk" PRIMARY KEY("contract_id","version")
);
--> statement-breakpoint
ALTER TABLE "terms_milestones" ADD CONSTRAINT "terms_milestones_contract_id_version_terms_versions_contract_id_version_fk" FOREIGN KEY ("contract_id","version") REFERENCES "public"."terms_versions"("contract_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terms_versions" ADD CONSTRAINT "terms_versions_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terms_versions" ADD CONSTRAINT "terms_versions_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;