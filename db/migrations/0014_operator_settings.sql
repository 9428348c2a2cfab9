CREATE TABLE "instance_settings" (
	"id" smallint PRIMARY KEY NOT NULL,
	"values" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "instance_settings_one_row" CHECK ("instance_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "setting_changes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"key" varchar(64) NOT NULL,
	"old_value" jsonb NOT NULL,
	"new_value" jsonb NOT NULL,
	"changed_by" uuid NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "timesheets" ADD COLUMN "submit_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "setting_changes" ADD CONSTRAINT "setting_changes_changed_by_users_id_fk" FOREIGN KEY ("changed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "setting_changes_changed_idx" ON "setting_changes" USING btree ("changed_at","id");--> statement-breakpoint
CREATE INDEX "setting_changes_key_idx" ON "setting_changes" USING btree ("key","changed_at");--> statement-breakpoint
-- The audit log of settings is append-only: an entry once written is never changed or removed.
CREATE OR REPLACE FUNCTION setting_changes_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'setting_changes: % is not allowed; the audit log is append-only', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER setting_changes_append_only BEFORE UPDATE OR DELETE ON setting_changes FOR EACH ROW EXECUTE FUNCTION setting_changes_refuse_change();
