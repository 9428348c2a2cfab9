import { sql } from 'drizzle-orm'
import { bigint, index, integer, pgTable, timestamp, unique, uuid, varchar, text } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/**
 * A user's TOTP (RFC 6238) authenticator. A row exists from enrolment; two-factor sign-in
 * is on once `enabledAt` is set. The secret is sealed (AES-256-GCM, docs/accounts-security.md)
 * and never returned after enrolment.
 */
export const totpAuthenticatorsTable = pgTable('totp_authenticators', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => usersTable.id, { onDelete: 'cascade' }),
  secretSealed: text('secret_sealed').notNull(),
  enabledAt: timestamp('enabled_at', { withTimezone: true, mode: 'date' }),
  /** The last time step a code was accepted for: that step and earlier ones are refused (replay). */
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
})

/** Ten single-use recovery codes per user, stored as sha256 of a high-entropy code. */
export const recoveryCodesTable = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    codeHash: varchar('code_hash', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [unique('recovery_codes_user_code_unique').on(table.userId, table.codeHash)],
)

/** The second sign-in step: a password that was right gives a short-lived challenge, not a session. */
export const signInChallengesTable = pgTable(
  'sign_in_challenges',
  {
    id: uuid('id').primaryKey(),
    /** sha256 of the challenge token; the token itself is never stored. */
    tokenHash: varchar('token_hash', { length: 64 }).notNull().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    userAgent: varchar('user_agent', { length: 512 }),
    ip: varchar('ip', { length: 64 }),
    failures: integer('failures')
      .notNull()
      .default(sql`0`),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [index('sign_in_challenges_user_idx').on(table.userId)],
)

/** Wrong second-step codes, per user: throttled like wrong passwords (LOGIN_MAX_FAILURES per window). */
export const twoFactorFailuresTable = pgTable(
  'two_factor_failures',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('two_factor_failures_user_at_idx').on(table.userId, table.at)],
)
