CREATE TABLE "contracts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"workroom_id" uuid NOT NULL,
	"proposal_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"freelancer_id" uuid NOT NULL,
	"arrangement" varchar(8) NOT NULL,
	"currency" varchar(3) NOT NULL,
	"state" varchar(16) NOT NULL,
	"initial_terms" jsonb NOT NULL,
	"bound_terms_version" integer,
	"price" bigint,
	"hourly_rate" bigint,
	"weekly_limit_minutes" integer,
	"manual_time_allowed" boolean DEFAULT false NOT NULL,
	"offered_at" timestamp with time zone NOT NULL,
	"offer_expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contracts_proposal_id_unique" UNIQUE("proposal_id"),
	CONSTRAINT "contracts_arrangement_check" CHECK ("contracts"."arrangement" in ('fixed', 'hourly')),
	CONSTRAINT "contracts_state_check" CHECK ("contracts"."state" in ('offered', 'active', 'paused', 'ended', 'declined', 'expired'))
);
--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_workroom_id_workrooms_id_fk" FOREIGN KEY ("workroom_id") REFERENCES "public"."workrooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_client_id_users_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_freelancer_id_users_id_fk" FOREIGN KEY ("freelancer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contracts_workroom_idx" ON "contracts" USING btree ("workroom_id");--> statement-breakpoint
CREATE INDEX "contracts_freelancer_idx" ON "contracts" USING btree ("freelancer_id");--> statement-breakpoint
CREATE INDEX "contracts_client_idx" ON "contracts" USING btree ("client_id");