import { sql } from 'drizzle-orm'
import { bigint, boolean, check, index, integer, jsonb, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { workroomsTable } from './workrooms.js'

/**
 * A contract between a job's client and one hired freelancer. Created `offered` by hire;
 * `offered -> active -> (paused) -> ended`, or `declined` / `expired` from `offered`. Ended
 * while money is in escrow, it is `ending` until the last hold leaves (docs/contract-lifecycle.md).
 *
 * `initialTerms` is the offer as drafted from the proposal (the seed of the live terms
 * document). What binds is the accepted terms version, kept in its own immutable rows; the
 * columns `rate`/`price`/`weeklyLimitMinutes`/`manualTimeAllowed` mirror the binding
 * version for quick reads (null/defaults until terms first bind).
 */
export const contractsTable = pgTable(
  'contracts',
  {
    id: uuid('id').primaryKey(),
    jobId: uuid('job_id').notNull(),
    workroomId: uuid('workroom_id')
      .notNull()
      .references(() => workroomsTable.id),
    proposalId: uuid('proposal_id').notNull().unique(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => usersTable.id),
    freelancerId: uuid('freelancer_id')
      .notNull()
      .references(() => usersTable.id),
    arrangement: varchar('arrangement', { length: 8 }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    state: varchar('state', { length: 16 }).notNull(),
    initialTerms: jsonb('initial_terms').notNull(),
    /** Binding values (from the last terms version both accepted). */
    boundTermsVersion: integer('bound_terms_version'),
    price: bigint('price', { mode: 'number' }),
    hourlyRate: bigint('hourly_rate', { mode: 'number' }),
    weeklyLimitMinutes: integer('weekly_limit_minutes'),
    manualTimeAllowed: boolean('manual_time_allowed').notNull().default(false),
    offeredAt: timestamp('offered_at', { withTimezone: true, mode: 'date' }).notNull(),
    offerExpiresAt: timestamp('offer_expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true, mode: 'date' }),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    index('contracts_workroom_idx').on(table.workroomId),
    index('contracts_freelancer_idx').on(table.freelancerId),
    index('contracts_client_idx').on(table.clientId),
    check('contracts_arrangement_check', sql`${table.arrangement} in ('fixed', 'hourly')`),
    check(
      'contracts_state_check',
      sql`${table.state} in ('offered', 'active', 'paused', 'ending', 'ended', 'declined', 'expired')`,
    ),
  ],
)
