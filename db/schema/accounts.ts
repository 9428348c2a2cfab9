import { sql } from 'drizzle-orm'
import { bigint, check, index, jsonb, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'

export const usersTable = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    /** Stored lower-cased; unique. */
    email: varchar('email', { length: 254 }).notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    name: varchar('name', { length: 100 }).notNull(),
    headline: varchar('headline', { length: 200 }),
    bio: text('bio'),
    skills: text('skills')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Hourly rate in minor units of `rateCurrency`. */
    hourlyRate: bigint('hourly_rate', { mode: 'number' }),
    rateCurrency: varchar('rate_currency', { length: 3 }).notNull().default('USD'),
    timeZone: varchar('time_zone', { length: 64 }).notNull().default('UTC'),
    /** Up to 10 public links to past work: `[{ title, url }]`, http(s) only (checked at the edge). */
    portfolioLinks: jsonb('portfolio_links')
      .$type<Array<{ title: string; url: string }>>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** `user` for everyone; `operator` only through `npm run admin:create`. */
    role: varchar('role', { length: 16 }).notNull().default('user'),
    /** When the user last proved they receive mail at `email`; null until then. */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    check('users_role_check', sql`${table.role} in ('user', 'operator')`),
    check('users_rate_check', sql`${table.hourlyRate} is null or ${table.hourlyRate} >= 0`),
  ],
)

export const sessionsTable = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    /** sha256 of the token; the token itself is never stored. */
    tokenHash: varchar('token_hash', { length: 64 }).notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    /** What signed in, for the session list (`GET /api/v1/me/sessions`). */
    userAgent: varchar('user_agent', { length: 512 }),
    ip: varchar('ip', { length: 64 }),
    /** Updated at most once a minute per instance while the session is used. */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [index('sessions_user_idx').on(table.userId)],
)

export const loginFailuresTable = pgTable(
  'login_failures',
  {
    id: uuid('id').primaryKey(),
    email: varchar('email', { length: 254 }).notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('login_failures_email_at_idx').on(table.email, table.at)],
)

/**
 * Short-lived, single-use tickets that authenticate a WebSocket upgrade (a browser or SDK
 * cannot set headers on it, and a long-lived token must never travel in a URL).
 */
export const realtimeTicketsTable = pgTable('realtime_tickets', {
  id: uuid('id').primaryKey(),
  tokenHash: varchar('token_hash', { length: 64 }).notNull().unique(),
  sessionId: uuid('session_id')
    .notNull()
    .references(() => sessionsTable.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
})
