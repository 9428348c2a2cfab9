CREATE TABLE "feedback" (
	"id" uuid PRIMARY KEY NOT NULL,
	"contract_id" uuid NOT NULL,
	"workroom_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"subject_role" varchar(10) NOT NULL,
	"quality" smallint,
	"responsiveness" smallint,
	"professionalism" smallint,
	"expertise" smallint,
	"schedule" smallint,
	"cost" smallint,
	"clarity" smallint,
	"communication" smallint,
	"payment_promptness" smallint,
	"score" integer NOT NULL,
	"comment" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"reply" text,
	"replied_at" timestamp with time zone,
	CONSTRAINT "feedback_one_per_party_key" UNIQUE("contract_id","author_id"),
	CONSTRAINT "feedback_subject_role_check" CHECK ("feedback"."subject_role" in ('freelancer', 'client')),
	CONSTRAINT "feedback_not_self_check" CHECK ("feedback"."author_id" <> "feedback"."subject_id"),
	CONSTRAINT "feedback_ratings_range_check" CHECK (coalesce("feedback"."quality", 1) between 1 and 5 and coalesce("feedback"."responsiveness", 1) between 1 and 5
        and coalesce("feedback"."professionalism", 1) between 1 and 5 and coalesce("feedback"."expertise", 1) between 1 and 5
        and coalesce("feedback"."schedule", 1) between 1 and 5 and coalesce("feedback"."cost", 1) between 1 and 5
        and coalesce("feedback"."clarity", 1) between 1 and 5 and coalesce("feedback"."communication", 1) between 1 and 5
        and coalesce("feedback"."payment_promptness", 1) between 1 and 5),
	CONSTRAINT "feedback_freelancer_score_check" CHECK ("feedback"."subject_role" <> 'freelancer' or (
        "feedback"."clarity" is null and "feedback"."communication" is null and "feedback"."payment_promptness" is null
        and "feedback"."score" = 30 * "feedback"."quality" + 20 * "feedback"."responsiveness" + 15 * "feedback"."professionalism"
          + 15 * "feedback"."expertise" + 10 * "feedback"."schedule" + 10 * "feedback"."cost")),
	CONSTRAINT "feedback_client_score_check" CHECK ("feedback"."subject_role" <> 'client' or (
        "feedback"."quality" is null and "feedback"."responsiveness" is null and "feedback"."professionalism" is null
        and "feedback"."expertise" is null and "feedback"."schedule" is null and "feedback"."cost" is null
        and "feedback"."score" = (200 * ("feedback"."clarity" + "feedback"."communication" + "feedback"."payment_promptness") + 3) / 6)),
	CONSTRAINT "feedback_comment_check" CHECK (char_length("feedback"."comment") between 1 and 5000),
	CONSTRAINT "feedback_reply_check" CHECK (("feedback"."reply" is null) = ("feedback"."replied_at" is null) and coalesce(char_length("feedback"."reply"), 1) between 1 and 5000)
);
--> statement-breakpoint
CREATE TABLE "feedback_windows" (
	"contract_id" uuid PRIMARY KEY NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"revealed_at" timestamp with time zone,
	"revealed_by" varchar(8),
	CONSTRAINT "feedback_windows_order_check" CHECK ("feedback_windows"."opened_at" < "feedback_windows"."closes_at"),
	CONSTRAINT "feedback_windows_revealed_check" CHECK (("feedback_windows"."revealed_at" is null) = ("feedback_windows"."revealed_by" is null) and ("feedback_windows"."revealed_by" is null or "feedback_windows"."revealed_by" in ('both', 'deadline')))
);
--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_contract_id_feedback_windows_contract_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."feedback_windows"("contract_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_subject_id_users_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_windows" ADD CONSTRAINT "feedback_windows_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feedback_subject_idx" ON "feedback" USING btree ("subject_id","subject_role");