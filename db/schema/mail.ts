import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core'

/**
 * The mail outbox: a row is written in the transaction of the event that causes the mail,
 * and a drain sends it after commit. The row is the truth: `pending` rows whose
 * `next_attempt_at` has come are claimed with FOR UPDATE SKIP LOCKED, so each is sent
 * once across instances; failures move `next_attempt_at` with exponential backoff until
 * the last attempt marks it `failed`.
 */
export const mailOutboxTable = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey(),
    toAddress: varchar('to_address', { length: 254 }).notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    headers: jsonb('headers')
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    userId: uuid('user_id'),
    category: varchar('category', { length: 64 }),
    /** Same key enqueued twice: one row, one mail. */
    dedupeKey: varchar('dedupe_key', { length: 200 }),
    status: varchar('status', { length: 16 }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastError: text('last_error'),
    messageId: text('message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    check('mail_outbox_status_check', sql`${table.status} in ('pending', 'sent', 'failed')`),
    uniqueIndex('mail_outbox_dedupe_idx').on(table.dedupeKey),
    index('mail_outbox_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} = 'pending'`),
    index('mail_outbox_user_idx').on(table.userId, table.createdAt),
  ],
)
