-- Terms versions: content is written once; acceptance columns are set once; a bound row is frozen.
CREATE OR REPLACE FUNCTION terms_versions_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'terms version % of contract % cannot be deleted', OLD.version, OLD.contract_id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.bound_at IS NOT NULL THEN
    RAISE EXCEPTION 'terms version % of contract % is bound and immutable', OLD.version, OLD.contract_id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.contract_id IS DISTINCT FROM OLD.contract_id OR NEW.version IS DISTINCT FROM OLD.version
     OR NEW.hash IS DISTINCT FROM OLD.hash OR NEW.canonical_json IS DISTINCT FROM OLD.canonical_json
     OR NEW.terms IS DISTINCT FROM OLD.terms OR NEW.snapshot IS DISTINCT FROM OLD.snapshot
     OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.price IS DISTINCT FROM OLD.price
     OR NEW.hourly_rate IS DISTINCT FROM OLD.hourly_rate OR NEW.weekly_limit_minutes IS DISTINCT FROM OLD.weekly_limit_minutes
     OR NEW.manual_time_allowed IS DISTINCT FROM OLD.manual_time_allowed OR NEW.scope IS DISTINCT FROM OLD.scope
     OR NEW.proposed_by IS DISTINCT FROM OLD.proposed_by OR NEW.created_at IS DISTINCT FROM OLD.created_at
     OR (OLD.client_accepted_at IS NOT NULL AND NEW.client_accepted_at IS DISTINCT FROM OLD.client_accepted_at)
     OR (OLD.freelancer_accepted_at IS NOT NULL AND NEW.freelancer_accepted_at IS DISTINCT FROM OLD.freelancer_accepted_at) THEN
    RAISE EXCEPTION 'terms version % of contract % may only gain acceptances', OLD.version, OLD.contract_id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER terms_versions_guard BEFORE UPDATE OR DELETE ON terms_versions FOR EACH ROW EXECUTE FUNCTION terms_versions_guard();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION terms_milestones_guard() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'milestones of bound terms are immutable' USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER terms_milestones_guard BEFORE UPDATE OR DELETE ON terms_milestones FOR EACH ROW EXECUTE FUNCTION terms_milestones_guard();
