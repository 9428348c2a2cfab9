import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core'

/**
 * Durable deadlines (offer expiry, auto-release, timesheet auto-submit...). A row is due
 * when `due_at <= now` and not done; one instance claims it with FOR UPDATE SKIP LOCKED.
 * (kind, subject) is unique so re-scheduling the same deadline replaces it.
 */
export const deadlinesTable = pgTable(
  'deadlines',
  {
    id: uuid('id').primaryKey(),
    kind: varchar('kind', { length: 64 }).notNull(),
    subject: text('subject').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull(),
    payload: jsonb('payload')
      .notNull()
      .default(sql`'{}'::jsonb`),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    doneAt: timestamp('done_at', { withTimezone: true, mode: 'date' }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    uniqueIndex('deadlines_kind_subject_idx').on(table.kind, table.subject),
    index('deadlines_due_idx')
      .on(table.dueAt)
      .where(sql`${table.doneAt} is null and ${table.cancelledAt} is null`),
  ],
)
