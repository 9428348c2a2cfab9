import {
  bigint,
  boolean,
  date,
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { contractsTable } from './contracts.js'
import { bytea } from './realtime.js'

/**
 * Every version of a contract's terms that either party proposed (froze from the live
 * draft). Content columns never change once written; the acceptance columns are filled
 * once; a row whose `bound_at` is set refuses every UPDATE and DELETE (a trigger in the
 * migration `terms_immutable`), so binding terms cannot be altered in place.
 */
export const termsVersionsTable = pgTable(
  'terms_versions',
  {
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    version: integer('version').notNull(),
    proposedBy: uuid('proposed_by').references(() => usersTable.id),
    /** sha256 (hex) of `canonicalJson`: what the other party accepts. */
    hash: varchar('hash', { length: 64 }).notNull(),
    /** The exact JSON text that was hashed (keys sorted). */
    canonicalJson: text('canonical_json').notNull(),
    terms: jsonb('terms').notNull(),
    /** The Yjs state of the draft when it was frozen. */
    snapshot: bytea('snapshot'),
    currency: varchar('currency', { length: 3 }).notNull(),
    price: bigint('price', { mode: 'number' }),
    hourlyRate: bigint('hourly_rate', { mode: 'number' }),
    weeklyLimitMinutes: integer('weekly_limit_minutes'),
    manualTimeAllowed: boolean('manual_time_allowed').notNull(),
    scope: text('scope').notNull(),
    clientAcceptedAt: timestamp('client_accepted_at', { withTimezone: true, mode: 'date' }),
    freelancerAcceptedAt: timestamp('freelancer_accepted_at', { withTimezone: true, mode: 'date' }),
    /** When both had accepted it: from then on the row is immutable. */
    boundAt: timestamp('bound_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.contractId, table.version] })],
)

/**
 * The milestones of a bound terms version (written when it binds; never updated or deleted).
 * A milestone may have no due date (see docs/contract-lifecycle.md).
 */
export const termsMilestonesTable = pgTable(
  'terms_milestones',
  {
    contractId: uuid('contract_id').notNull(),
    version: integer('version').notNull(),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }),
  },
  (table) => [
    primaryKey({ columns: [table.contractId, table.version, table.position] }),
    foreignKey({
      columns: [table.contractId, table.version],
      foreignColumns: [termsVersionsTable.contractId, termsVersionsTable.version],
    }),
  ],
)
