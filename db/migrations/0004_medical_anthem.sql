CREATE TABLE "screenshot_comments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"screenshot_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "screenshots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"contract_id" uuid NOT NULL,
	"segment_start" timestamp with time zone NOT NULL,
	"captured_at" timestamp with time zone NOT NULL,
	"state" varchar(16) NOT NULL,
	"image_key" text NOT NULL,
	"thumbnail_key" text NOT NULL,
	"content_type" varchar(32) NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"size" integer NOT NULL,
	"blurred" boolean DEFAULT false NOT NULL,
	"reject_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "screenshots_state_check" CHECK ("screenshots"."state" in ('active', 'deleted', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "timesheet_disputes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"timesheet_id" uuid NOT NULL,
	"contract_id" uuid NOT NULL,
	"state" varchar(16) NOT NULL,
	"disputed_minutes" integer NOT NULL,
	"reason" text NOT NULL,
	"response" text,
	"responded_at" timestamp with time zone,
	"respond_by" timestamp with time zone NOT NULL,
	"client_proposal" integer,
	"freelancer_proposal" integer,
	"resolved_minutes" integer,
	"resolved_by" varchar(16),
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "timesheet_disputes_timesheet_id_unique" UNIQUE("timesheet_id"),
	CONSTRAINT "timesheet_disputes_state_check" CHECK ("timesheet_disputes"."state" in ('open', 'escalated', 'resolved'))
);
--> statement-breakpoint
CREATE TABLE "timesheets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"contract_id" uuid NOT NULL,
	"week_start" timestamp with time zone NOT NULL,
	"state" varchar(16) NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"totals" jsonb,
	"hourly_rate" bigint,
	"currency" varchar(3) NOT NULL,
	"amount" bigint,
	"submitted_at" timestamp with time zone,
	"submitted_by" varchar(16),
	"review_due_at" timestamp with time zone,
	"approved_at" timestamp with time zone,
	"approved_by" varchar(16),
	"approved_minutes" integer,
	"invoice_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "timesheets_state_check" CHECK ("timesheets"."state" in ('open', 'submitted', 'disputed', 'approved'))
);
--> statement-breakpoint
CREATE TABLE "tracker_segments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"contract_id" uuid NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"activity" jsonb NOT NULL,
	"memo" text DEFAULT '' NOT NULL,
	"manual" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workview_settings" (
	"contract_id" uuid PRIMARY KEY NOT NULL,
	"screenshots_per_segment" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "workview_settings_count_check" CHECK ("workview_settings"."screenshots_per_segment" between 0 and 3)
);
--> statement-breakpoint
ALTER TABLE "screenshot_comments" ADD CONSTRAINT "screenshot_comments_screenshot_id_screenshots_id_fk" FOREIGN KEY ("screenshot_id") REFERENCES "public"."screenshots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screenshot_comments" ADD CONSTRAINT "screenshot_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screenshots" ADD CONSTRAINT "screenshots_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timesheet_disputes" ADD CONSTRAINT "timesheet_disputes_timesheet_id_timesheets_id_fk" FOREIGN KEY ("timesheet_id") REFERENCES "public"."timesheets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timesheet_disputes" ADD CONSTRAINT "timesheet_disputes_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timesheets" ADD CONSTRAINT "timesheets_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracker_segments" ADD CONSTRAINT "tracker_segments_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workview_settings" ADD CONSTRAINT "workview_settings_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "screenshot_comments_screenshot_idx" ON "screenshot_comments" USING btree ("screenshot_id","created_at");--> statement-breakpoint
CREATE INDEX "screenshots_contract_segment_idx" ON "screenshots" USING btree ("contract_id","segment_start");--> statement-breakpoint
CREATE UNIQUE INDEX "screenshots_contract_captured_idx" ON "screenshots" USING btree ("contract_id","captured_at");--> statement-breakpoint
CREATE INDEX "timesheet_disputes_contract_idx" ON "timesheet_disputes" USING btree ("contract_id");--> statement-breakpoint
CREATE UNIQUE INDEX "timesheets_contract_week_idx" ON "timesheets" USING btree ("contract_id","week_start");--> statement-breakpoint
CREATE UNIQUE INDEX "tracker_segments_contract_start_idx" ON "tracker_segments" USING btree ("contract_id","start");