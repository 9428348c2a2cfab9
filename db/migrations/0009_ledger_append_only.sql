-- The ledger's invariants, held by the database itself (not only by the application):
-- 1. entries and transfers are append-only: UPDATE, DELETE and TRUNCATE raise;
-- 2. an inserted entry adds its amount to its account's balance, and a balance changes in
--    no other way (so balance = sum of the account's entries; the CHECKs on ledger_accounts
--    then refuse any overdraft of a wallet, hold, earnings or fees account);
-- 3. at commit, every transfer has at least two entries, all in its currency, summing to 0,
--    and its amount equals the sum of its positive entries.
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % on % is not allowed; the ledger is append-only (post a correcting transfer)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_apply_entry() RETURNS trigger AS $$
BEGIN
  UPDATE ledger_accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id AND currency = NEW.currency;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger: entry %/% is in % but its account % is not', NEW.transfer_id, NEW.leg, NEW.currency, NEW.account_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_apply AFTER INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_apply_entry();
--> statement-breakpoint
-- Accounts: identity columns never change; the balance changes only from ledger_apply_entry
-- (trigger depth 2); an account is never deleted.
CREATE OR REPLACE FUNCTION ledger_accounts_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ledger: accounts are never deleted' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.currency IS DISTINCT FROM OLD.currency
     OR NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'ledger: account % cannot change its identity', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'ledger: the balance of account % changes only by posting entries', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE OR DELETE ON ledger_accounts FOR EACH ROW EXECUTE FUNCTION ledger_accounts_guard();
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_check_transfer() RETURNS trigger AS $$
DECLARE
  tid uuid;
  transfer_currency varchar;
  transfer_amount bigint;
  total numeric;
  positive numeric;
  legs integer;
  foreign_legs integer;
BEGIN
  IF TG_TABLE_NAME = 'ledger_transfers' THEN
    tid := NEW.id;
  ELSE
    tid := NEW.transfer_id;
  END IF;
  SELECT t.currency, t.amount INTO transfer_currency, transfer_amount FROM ledger_transfers t WHERE t.id = tid;
  SELECT coalesce(sum(e.amount), 0), coalesce(sum(e.amount) FILTER (WHERE e.amount > 0), 0), count(*),
         count(*) FILTER (WHERE e.currency <> transfer_currency)
    INTO total, positive, legs, foreign_legs
    FROM ledger_entries e WHERE e.transfer_id = tid;
  IF legs < 2 OR total <> 0 OR foreign_legs > 0 OR positive <> transfer_amount THEN
    RAISE EXCEPTION 'ledger: transfer % is not balanced (% legs, sum %, % in another currency, moves % of %)',
      tid, legs, total, foreign_legs, positive, transfer_amount
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transfer();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_transfers_balanced AFTER INSERT ON ledger_transfers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transfer();
