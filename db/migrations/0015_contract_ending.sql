ALTER TABLE "contracts" DROP CONSTRAINT "contracts_state_check";--> statement-breakpoint
ALTER TABLE "milestones" ADD COLUMN "end_refund_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_state_check" CHECK ("contracts"."state" in ('offered', 'active', 'paused', 'ending', 'ended', 'declined', 'expired'));