-- Feedback is never edited, by the database's own rule (not only the API's): an UPDATE may
-- only add the reply to a row that has none; everything else the author wrote stays as it was.
CREATE OR REPLACE FUNCTION feedback_refuse_edit() RETURNS trigger AS $$
BEGIN
  IF (to_jsonb(NEW) - 'reply' - 'replied_at') IS DISTINCT FROM (to_jsonb(OLD) - 'reply' - 'replied_at') THEN
    RAISE EXCEPTION 'feedback: left feedback is never edited'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.reply IS NOT NULL AND (NEW.reply IS DISTINCT FROM OLD.reply OR NEW.replied_at IS DISTINCT FROM OLD.replied_at) THEN
    RAISE EXCEPTION 'feedback: a reply is never edited'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER feedback_no_edits BEFORE UPDATE ON feedback FOR EACH ROW EXECUTE FUNCTION feedback_refuse_edit();
--> statement-breakpoint
-- Freelancer search (server/modules/reputation/reputation.repository.ts): full text over the
-- public profile and skill tags. The expression must stay identical to `profileDocument`
-- there, or the planner cannot use the index.
CREATE INDEX IF NOT EXISTS users_profile_search_idx ON users USING gin (to_tsvector('english', "name" || ' ' || coalesce("headline", '') || ' ' || coalesce("bio", '')));
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_skills_idx ON users USING gin ("skills");
