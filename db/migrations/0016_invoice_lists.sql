CREATE INDEX "invoices_client_date_idx" ON "invoices" USING btree ("client_id",coalesce("issued_at", "created_at"));--> statement-breakpoint
CREATE INDEX "invoices_freelancer_date_idx" ON "invoices" USING btree ("freelancer_id",coalesce("issued_at", "created_at"));--> statement-breakpoint
CREATE INDEX "invoices_date_idx" ON "invoices" USING btree (coalesce("issued_at", "created_at"));