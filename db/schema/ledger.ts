import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  timestamp,
  unique,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/**
 * The double-entry ledger. Amounts are integer minor units in `bigint` columns, read as
 * JavaScript `bigint` (exact arithmetic in the ledger core; converted to JSON numbers only
 * at the HTTP edge, which the ±(2^53-1) CHECK below makes always exact).
 *
 * Sign convention: an entry's `amount` is added to its account's balance. Every transfer's
 * entries sum to 0, so the balances of one currency always sum to 0; the `world` account
 * (money outside Workroom) is the only one allowed below 0, and its negated balance is the
 * money inside.
 *
 * What the database itself enforces (migration `ledger_append_only`):
 * - entries and transfers are append-only (UPDATE, DELETE and TRUNCATE raise);
 * - an inserted entry adds to its account's balance (a trigger), and a balance changes in
 *   no other way; the balance CHECKs then refuse any transfer that would overdraw;
 * - at commit, every transfer has entries, in its own currency, summing to 0.
 */
export const ledgerAccountKinds = ['wallet', 'hold', 'earnings', 'withdrawal_pending', 'fees', 'world'] as const
export type LedgerAccountKind = (typeof ledgerAccountKinds)[number]

/** The largest magnitude any balance or amount may reach: exact as a JSON number. */
export const MAX_LEDGER_AMOUNT = 9_007_199_254_740_991n

export const ledgerAccountsTable = pgTable(
  'ledger_accounts',
  {
    id: uuid('id').primaryKey(),
    /** wallet (client money), hold (one per milestone), earnings, withdrawal_pending, fees, world. */
    kind: varchar('kind', { length: 24 }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** The user (wallet, earnings, withdrawal_pending) or the milestone (hold); null for fees and world. */
    ownerId: uuid('owner_id'),
    balance: bigint('balance', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    unique('ledger_accounts_identity_key').on(table.kind, table.currency, table.ownerId).nullsNotDistinct(),
    index('ledger_accounts_owner_idx').on(table.ownerId),
    check(
      'ledger_accounts_kind_check',
      sql`${table.kind} in ('wallet', 'hold', 'earnings', 'withdrawal_pending', 'fees', 'world')`,
    ),
    check('ledger_accounts_currency_check', sql`${table.currency} ~ '^[A-Z]{3}$'`),
    check('ledger_accounts_owner_check', sql`(${table.kind} in ('fees', 'world')) = (${table.ownerId} is null)`),
    check('ledger_accounts_nonnegative_check', sql`${table.kind} = 'world' or ${table.balance} >= 0`),
    check('ledger_accounts_range_check', sql`${table.balance} between -9007199254740991 and 9007199254740991`),
  ],
)

export const ledgerTransfersTable = pgTable(
  'ledger_transfers',
  {
    id: uuid('id').primaryKey(),
    /** deposit, withdrawal_reserve, withdrawal_payout, withdrawal_return, fund, release, refund, ... */
    kind: varchar('kind', { length: 32 }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** The money moved: the sum of the positive entries. */
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    /** What caused it (`deposit:<id>`, `milestone:<id>`...), for audits. */
    reference: varchar('reference', { length: 100 }).notNull(),
    /** The user who caused it; null for the system (auto-release, deadlines). */
    actorId: uuid('actor_id').references(() => usersTable.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    index('ledger_transfers_reference_idx').on(table.reference),
    check('ledger_transfers_amount_check', sql`${table.amount} > 0 and ${table.amount} <= 9007199254740991`),
    check('ledger_transfers_currency_check', sql`${table.currency} ~ '^[A-Z]{3}$'`),
  ],
)

export const ledgerEntriesTable = pgTable(
  'ledger_entries',
  {
    transferId: uuid('transfer_id')
      .notNull()
      .references(() => ledgerTransfersTable.id),
    /** Position of the entry in its transfer. */
    leg: integer('leg').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => ledgerAccountsTable.id),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** Added to the account's balance: negative takes money out, positive puts it in. */
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.transferId, table.leg] }),
    index('ledger_entries_account_idx').on(table.accountId),
    check(
      'ledger_entries_amount_check',
      sql`${table.amount} <> 0 and ${table.amount} between -9007199254740991 and 9007199254740991`,
    ),
  ],
)

/** A request asked of a payment provider: money coming in (deposit) or going out (withdrawal). */
export const depositsTable = pgTable(
  'deposits',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id),
    /** The payment provider that carries it (`manual` is built in). */
    provider: varchar('provider', { length: 32 }).notNull(),
    /** The provider's own reference (bank transfer reference, charge id...). */
    providerRef: varchar('provider_ref', { length: 200 }),
    /** What the payer should do (bank details, a link...), from the provider. */
    instructions: jsonb('instructions')
      .notNull()
      .default(sql`'{}'::jsonb`),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** pending -> confirmed | cancelled */
    state: varchar('state', { length: 16 }).notNull(),
    transferId: uuid('transfer_id').references(() => ledgerTransfersTable.id),
    decidedBy: uuid('decided_by').references(() => usersTable.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    index('deposits_user_idx').on(table.userId, table.createdAt),
    check('deposits_state_check', sql`${table.state} in ('pending', 'confirmed', 'cancelled')`),
    check('deposits_amount_check', sql`${table.amount} > 0`),
  ],
)

export const withdrawalsTable = pgTable(
  'withdrawals',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id),
    provider: varchar('provider', { length: 32 }).notNull(),
    providerRef: varchar('provider_ref', { length: 200 }),
    /** Where to pay (an IBAN, a payout account...), as the freelancer gave it. */
    destination: varchar('destination', { length: 200 }),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** pending -> paid | rejected (rejected returns the reserved money to earnings) */
    state: varchar('state', { length: 16 }).notNull(),
    reserveTransferId: uuid('reserve_transfer_id')
      .notNull()
      .references(() => ledgerTransfersTable.id),
    settleTransferId: uuid('settle_transfer_id').references(() => ledgerTransfersTable.id),
    decidedBy: uuid('decided_by').references(() => usersTable.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    index('withdrawals_user_idx').on(table.userId, table.createdAt),
    check('withdrawals_state_check', sql`${table.state} in ('pending', 'paid', 'rejected')`),
    check('withdrawals_amount_check', sql`${table.amount} > 0`),
  ],
)
