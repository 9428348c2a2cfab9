import { sql } from 'drizzle-orm'
import { check, index, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/**
 * Single-use tokens sent by mail: email verification (24 h), password reset (30 min) and
 * a change of email address (the new address, confirmed by a link sent to it). Only the
 * sha256 of a token is stored; `used_at` makes it single use.
 */
export const accountTokensTable = pgTable(
  'account_tokens',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    purpose: varchar('purpose', { length: 32 }).notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull().unique(),
    /** The address this token verifies (the current one, or the new one of a change). */
    email: varchar('email', { length: 254 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    check('account_tokens_purpose_check', sql`${table.purpose} in ('verify_email', 'password_reset', 'change_email')`),
    index('account_tokens_user_idx').on(table.userId, table.purpose),
  ],
)
