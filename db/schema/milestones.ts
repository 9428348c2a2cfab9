import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { contractsTable } from './contracts.js'
import { ledgerAccountsTable } from './ledger.js'

export const milestoneStates = [
  'pending',
  'funded',
  'submitted',
  'changes_requested',
  'released',
  'refunded',
  'disputed',
  'cancelled',
] as const
export type MilestoneState = (typeof milestoneStates)[number]

/**
 * A fixed-price milestone, created from the binding terms. Its escrow is one ledger `hold`
 * account; the amount columns mirror what moved through it (the ledger is the truth):
 * `funded = released + refunded + what is still held`.
 *
 * States: pending -> funded -> submitted -> (released | changes_requested -> submitted)
 * | refunded | disputed -> (released | refunded); `cancelled` when a later terms version
 * drops a milestone that was never funded. Approval and release happen in one transaction,
 * so `approved` is never stored.
 */
export const milestonesTable = pgTable(
  'milestones',
  {
    id: uuid('id').primaryKey(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    /** 0-based position in the terms' milestone list. */
    position: integer('position').notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    dueDate: date('due_date', { mode: 'string' }),
    state: varchar('state', { length: 20 }).notNull(),
    /** The terms version the milestone's title/amount/due date come from. */
    termsVersion: integer('terms_version').notNull(),
    holdAccountId: uuid('hold_account_id').references(() => ledgerAccountsTable.id),
    fundedAmount: bigint('funded_amount', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** Gross amount released to the freelancer (the fee included). */
    releasedAmount: bigint('released_amount', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    feeAmount: bigint('fee_amount', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    refundedAmount: bigint('refunded_amount', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** The client asked for a refund of this much; it happens when the freelancer consents. */
    refundRequestedAmount: bigint('refund_requested_amount', { mode: 'bigint' }),
    refundRequestedAt: timestamp('refund_requested_at', { withTimezone: true, mode: 'date' }),
    /** Where a dispute returns to when it ends without moving all the money. */
    stateBeforeDispute: varchar('state_before_dispute', { length: 20 }),
    fundedAt: timestamp('funded_at', { withTimezone: true, mode: 'date' }),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }),
    /** When the latest submission releases itself unless the client acts (null when no clock runs). */
    autoReleaseAt: timestamp('auto_release_at', { withTimezone: true, mode: 'date' }),
    /** On an ending contract: when escrow of work not submitted returns to the client (null when no such clock runs). */
    endRefundAt: timestamp('end_refund_at', { withTimezone: true, mode: 'date' }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    unique('milestones_contract_position_key').on(table.contractId, table.position),
    check(
      'milestones_state_check',
      sql`${table.state} in ('pending', 'funded', 'submitted', 'changes_requested', 'released', 'refunded', 'disputed', 'cancelled')`,
    ),
    check('milestones_amount_check', sql`${table.amount} > 0`),
    check(
      'milestones_money_check',
      sql`${table.releasedAmount} >= 0 and ${table.refundedAmount} >= 0 and ${table.feeAmount} >= 0 and ${table.feeAmount} <= ${table.releasedAmount} and ${table.releasedAmount} + ${table.refundedAmount} <= ${table.fundedAmount}`,
    ),
  ],
)

/** Each time the freelancer submits work, and how the client answered it. */
export const milestoneSubmissionsTable = pgTable(
  'milestone_submissions',
  {
    id: uuid('id').primaryKey(),
    /** Order of submissions (ids are random, and several may share a timestamp). */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    milestoneId: uuid('milestone_id')
      .notNull()
      .references(() => milestonesTable.id),
    authorId: uuid('author_id')
      .notNull()
      .references(() => usersTable.id),
    message: text('message').notNull(),
    fileIds: uuid('file_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    /** approved | changes_requested | disputed | auto_released | refunded; null while awaiting review. */
    outcome: varchar('outcome', { length: 20 }),
    reviewMessage: text('review_message'),
    reviewedBy: uuid('reviewed_by').references(() => usersTable.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('milestone_submissions_milestone_idx').on(table.milestoneId, table.createdAt)],
)

/**
 * A dispute on a funded or submitted milestone. `clientAccepts` / `freelancerAccepts` are
 * the split (the gross amount for the freelancer; the rest of the hold returns to the
 * client) each side last accepted; equal values settle it.
 * States: open -> answered -> (escalated) -> resolved; resolution settled | decided | lapsed.
 */
export const disputesTable = pgTable(
  'disputes',
  {
    id: uuid('id').primaryKey(),
    milestoneId: uuid('milestone_id')
      .notNull()
      .references(() => milestonesTable.id),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    openedBy: uuid('opened_by')
      .notNull()
      .references(() => usersTable.id),
    openerRole: varchar('opener_role', { length: 12 }).notNull(),
    reason: text('reason').notNull(),
    state: varchar('state', { length: 12 }).notNull(),
    resolution: varchar('resolution', { length: 12 }),
    /** The hold when the dispute opened: every split divides this. */
    heldAmount: bigint('held_amount', { mode: 'bigint' }).notNull(),
    clientAccepts: bigint('client_accepts', { mode: 'bigint' }),
    freelancerAccepts: bigint('freelancer_accepts', { mode: 'bigint' }),
    responseDueAt: timestamp('response_due_at', { withTimezone: true, mode: 'date' }).notNull(),
    respondedAt: timestamp('responded_at', { withTimezone: true, mode: 'date' }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true, mode: 'date' }),
    /** Final split: gross to the freelancer; the rest of `heldAmount` went back to the client. */
    freelancerAmount: bigint('freelancer_amount', { mode: 'bigint' }),
    decidedBy: uuid('decided_by').references(() => usersTable.id),
    decisionNote: text('decision_note'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('disputes_one_live_per_milestone_idx')
      .on(table.milestoneId)
      .where(sql`${table.state} <> 'resolved'`),
    index('disputes_contract_idx').on(table.contractId),
    check('disputes_state_check', sql`${table.state} in ('open', 'answered', 'escalated', 'resolved')`),
    check(
      'disputes_resolution_check',
      sql`${table.resolution} is null or ${table.resolution} in ('settled', 'decided', 'lapsed')`,
    ),
    check('disputes_opener_role_check', sql`${table.openerRole} in ('client', 'freelancer')`),
  ],
)

/** What each side said and proposed in a dispute, in order. */
export const disputeMessagesTable = pgTable(
  'dispute_messages',
  {
    id: uuid('id').primaryKey(),
    /** Order of the steps (ids are random, and several may share a timestamp). */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    disputeId: uuid('dispute_id')
      .notNull()
      .references(() => disputesTable.id),
    authorId: uuid('author_id').references(() => usersTable.id),
    /** opened | response | settle | escalated | decision | lapsed */
    kind: varchar('kind', { length: 12 }).notNull(),
    message: text('message'),
    /** The split proposed or accepted with this step (gross to the freelancer). */
    freelancerAmount: bigint('freelancer_amount', { mode: 'bigint' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('dispute_messages_dispute_idx').on(table.disputeId, table.createdAt)],
)
