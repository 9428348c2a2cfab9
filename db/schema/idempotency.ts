import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgTable, primaryKey, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/**
 * One row per (user, Idempotency-Key): the fingerprint of the first request and the answer
 * it got. The row is written in the same transaction as the work it guards, so "money moved"
 * and "answer stored" commit together; a second request with the key waits on the row's
 * unique index until the first commits, then replays the stored answer. Rows are kept 7 days
 * (server/plugins/idempotency.ts, `IDEMPOTENCY_KEY_RETENTION_MS`).
 */
export const idempotencyKeysTable = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    key: varchar('key', { length: 255 }).notNull(),
    /** sha256 of method, route, path parameters and canonical JSON body. */
    fingerprint: varchar('fingerprint', { length: 64 }).notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.key] }),
    // The housekeeping deletes by age.
    index('idempotency_keys_created_idx').on(table.createdAt),
    check('idempotency_keys_status_check', sql`${table.statusCode} is null or ${table.statusCode} between 200 and 499`),
  ],
)
