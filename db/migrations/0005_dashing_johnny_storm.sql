CREATE TABLE "files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "files_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workroom_id" uuid NOT NULL,
	"scope" varchar(16) NOT NULL,
	"thread_id" uuid,
	"scope_freelancer_id" uuid,
	"version_group" varchar(64) NOT NULL,
	"name" varchar(255) NOT NULL,
	"version" integer NOT NULL,
	"storage_key" varchar(300) NOT NULL,
	"size" bigint NOT NULL,
	"sha256" varchar(64) NOT NULL,
	"content_type" varchar(255) NOT NULL,
	"uploader_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	"deleted_by" uuid,
	CONSTRAINT "files_storage_key_unique" UNIQUE("storage_key"),
	CONSTRAINT "files_scope_check" CHECK ("files"."scope" in ('thread', 'workroom')),
	CONSTRAINT "files_thread_scope_check" CHECK (("files"."scope" = 'thread') = ("files"."thread_id" is not null)),
	CONSTRAINT "files_size_check" CHECK ("files"."size" >= 0)
);
--> statement-breakpoint
CREATE TABLE "message_attachments" (
	"message_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "message_attachments_message_id_file_id_pk" PRIMARY KEY("message_id","file_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "messages_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"thread_id" uuid NOT NULL,
	"workroom_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "thread_reads" (
	"thread_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"last_read_seq" bigint NOT NULL,
	"last_read_message_id" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "thread_reads_thread_id_user_id_pk" PRIMARY KEY("thread_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "job_invites" (
	"job_id" uuid NOT NULL,
	"freelancer_id" uuid NOT NULL,
	"invited_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "job_invites_job_id_freelancer_id_pk" PRIMARY KEY("job_id","freelancer_id")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workroom_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"title" varchar(200) NOT NULL,
	"description" text NOT NULL,
	"category" varchar(64),
	"skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"arrangement" varchar(8) NOT NULL,
	"currency" varchar(3) NOT NULL,
	"budget_min" bigint,
	"budget_max" bigint,
	"rate_min" bigint,
	"rate_max" bigint,
	"visibility" varchar(16) NOT NULL,
	"proposal_deadline" timestamp with time zone,
	"state" varchar(16) NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', "jobs"."title" || ' ' || "jobs"."description")) STORED NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	CONSTRAINT "jobs_workroom_id_unique" UNIQUE("workroom_id"),
	CONSTRAINT "jobs_arrangement_check" CHECK ("jobs"."arrangement" in ('fixed', 'hourly')),
	CONSTRAINT "jobs_visibility_check" CHECK ("jobs"."visibility" in ('public', 'invite-only')),
	CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" in ('draft', 'open', 'closed', 'awarded', 'cancelled')),
	CONSTRAINT "jobs_range_check" CHECK (("jobs"."arrangement" = 'fixed' and "jobs"."budget_min" is not null and "jobs"."budget_max" is not null
            and "jobs"."rate_min" is null and "jobs"."rate_max" is null
            and 0 <= "jobs"."budget_min" and "jobs"."budget_min" <= "jobs"."budget_max")
        or ("jobs"."arrangement" = 'hourly' and "jobs"."rate_min" is not null and "jobs"."rate_max" is not null
            and "jobs"."budget_min" is null and "jobs"."budget_max" is null
            and 0 <= "jobs"."rate_min" and "jobs"."rate_min" <= "jobs"."rate_max"))
);
--> statement-breakpoint
CREATE TABLE "proposals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"workroom_id" uuid NOT NULL,
	"freelancer_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"state" varchar(16) NOT NULL,
	"cover_letter" text NOT NULL,
	"bid_amount" bigint,
	"hourly_rate" bigint,
	"currency" varchar(3) NOT NULL,
	"estimated_days" integer NOT NULL,
	"milestones" jsonb,
	"attachment_file_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "proposals_state_check" CHECK ("proposals"."state" in ('submitted', 'shortlisted', 'declined', 'withdrawn', 'hired')),
	CONSTRAINT "proposals_bid_check" CHECK (("proposals"."bid_amount" is not null and "proposals"."bid_amount" > 0 and "proposals"."hourly_rate" is null)
        or ("proposals"."hourly_rate" is not null and "proposals"."hourly_rate" > 0 and "proposals"."bid_amount" is null)),
	CONSTRAINT "proposals_days_check" CHECK ("proposals"."estimated_days" > 0)
);
--> statement-breakpoint
CREATE TABLE "realtime_snapshots" (
	"doc_name" varchar(200) PRIMARY KEY NOT NULL,
	"data" "bytea" NOT NULL,
	"folded_updates" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "realtime_updates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"doc_name" varchar(200) NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_workroom_id_workrooms_id_fk" FOREIGN KEY ("workroom_id") REFERENCES "public"."workrooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_uploader_id_users_id_fk" FOREIGN KEY ("uploader_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_workroom_id_workrooms_id_fk" FOREIGN KEY ("workroom_id") REFERENCES "public"."workrooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thread_reads" ADD CONSTRAINT "thread_reads_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thread_reads" ADD CONSTRAINT "thread_reads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_invites" ADD CONSTRAINT "job_invites_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_invites" ADD CONSTRAINT "job_invites_freelancer_id_users_id_fk" FOREIGN KEY ("freelancer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_invites" ADD CONSTRAINT "job_invites_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_workroom_id_workrooms_id_fk" FOREIGN KEY ("workroom_id") REFERENCES "public"."workrooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_client_id_users_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_workroom_id_workrooms_id_fk" FOREIGN KEY ("workroom_id") REFERENCES "public"."workrooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_freelancer_id_users_id_fk" FOREIGN KEY ("freelancer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "files_version_idx" ON "files" USING btree ("workroom_id","version_group","name","version");--> statement-breakpoint
CREATE INDEX "files_workroom_seq_idx" ON "files" USING btree ("workroom_id","seq");--> statement-breakpoint
CREATE INDEX "message_attachments_file_idx" ON "message_attachments" USING btree ("file_id");--> statement-breakpoint
CREATE INDEX "messages_thread_seq_idx" ON "messages" USING btree ("thread_id","seq");--> statement-breakpoint
CREATE INDEX "job_invites_freelancer_idx" ON "job_invites" USING btree ("freelancer_id");--> statement-breakpoint
CREATE INDEX "jobs_search_idx" ON "jobs" USING gin ("search");--> statement-breakpoint
CREATE INDEX "jobs_skills_idx" ON "jobs" USING gin ("skills");--> statement-breakpoint
CREATE INDEX "jobs_open_recent_idx" ON "jobs" USING btree ("published_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "jobs"."state" = 'open';--> statement-breakpoint
CREATE INDEX "jobs_client_idx" ON "jobs" USING btree ("client_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "proposals_one_live_idx" ON "proposals" USING btree ("job_id","freelancer_id") WHERE "proposals"."state" in ('submitted', 'shortlisted', 'hired');--> statement-breakpoint
CREATE INDEX "proposals_job_idx" ON "proposals" USING btree ("job_id","created_at");--> statement-breakpoint
CREATE INDEX "proposals_freelancer_idx" ON "proposals" USING btree ("freelancer_id","created_at");--> statement-breakpoint
CREATE INDEX "realtime_updates_doc_idx" ON "realtime_updates" USING btree ("doc_name","id");