DROP INDEX "jobs_search_idx";--> statement-breakpoint
DROP INDEX "jobs_skills_idx";--> statement-breakpoint
CREATE INDEX "jobs_open_search_idx" ON "jobs" USING gin ("search") WHERE "jobs"."state" = 'open';--> statement-breakpoint
CREATE INDEX "jobs_open_skills_idx" ON "jobs" USING gin ("skills") WHERE "jobs"."state" = 'open';