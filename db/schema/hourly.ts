import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { contractsTable } from './contracts.js'

/**
 * One minute of a segment: how many key presses and pointer events (never what was typed),
 * and `tracked: false` when the tracker was not running in that minute (it is not billed).
 */
export interface MinuteActivity {
  keys: number
  pointer: number
  tracked?: false
}

/**
 * Tracker time: one row per 10-minute segment of an hourly contract, aligned to the clock.
 * (contract, start) is unique, so an offline tracker re-uploading what it cached replaces
 * the segment instead of adding one.
 */
export const trackerSegmentsTable = pgTable(
  'tracker_segments',
  {
    id: uuid('id').primaryKey(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    start: timestamp('start', { withTimezone: true, mode: 'date' }).notNull(),
    /** Ten entries, one per minute. */
    activity: jsonb('activity').$type<MinuteActivity[]>().notNull(),
    memo: text('memo').notNull().default(''),
    manual: boolean('manual').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [uniqueIndex('tracker_segments_contract_start_idx').on(table.contractId, table.start)],
)

/**
 * Work View screenshots. A deleted one keeps its row (its segment stops counting) but loses
 * its stored files; a rejected one keeps its files as the client's evidence.
 * (contract, capturedAt) is unique so a retried upload of the same capture is not doubled.
 */
export const screenshotsTable = pgTable(
  'screenshots',
  {
    id: uuid('id').primaryKey(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    segmentStart: timestamp('segment_start', { withTimezone: true, mode: 'date' }).notNull(),
    capturedAt: timestamp('captured_at', { withTimezone: true, mode: 'date' }).notNull(),
    state: varchar('state', { length: 16 }).notNull(),
    imageKey: text('image_key').notNull(),
    thumbnailKey: text('thumbnail_key').notNull(),
    contentType: varchar('content_type', { length: 32 }).notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    size: integer('size').notNull(),
    blurred: boolean('blurred').notNull().default(false),
    rejectReason: text('reject_reason'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    index('screenshots_contract_segment_idx').on(table.contractId, table.segmentStart),
    uniqueIndex('screenshots_contract_captured_idx').on(table.contractId, table.capturedAt),
    check('screenshots_state_check', sql`${table.state} in ('active', 'deleted', 'rejected')`),
  ],
)

export const screenshotCommentsTable = pgTable(
  'screenshot_comments',
  {
    id: uuid('id').primaryKey(),
    screenshotId: uuid('screenshot_id')
      .notNull()
      .references(() => screenshotsTable.id),
    authorId: uuid('author_id')
      .notNull()
      .references(() => usersTable.id),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('screenshot_comments_screenshot_idx').on(table.screenshotId, table.createdAt)],
)

/**
 * The capture moments the server picked for one tracked segment (the tracker asks when it
 * opens or continues the segment), and the activity and memo the tracker reported with its
 * latest screenshot, so the client sees a screenshot with the segment's activity so far
 * before the segment itself is recorded.
 */
export const capturePlansTable = pgTable(
  'capture_plans',
  {
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    segmentStart: timestamp('segment_start', { withTimezone: true, mode: 'date' }).notNull(),
    /** ISO instants, sorted; empty when the contract takes no screenshots. */
    moments: jsonb('moments').$type<string[]>().notNull(),
    activity: jsonb('activity').$type<MinuteActivity[]>(),
    memo: text('memo').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.contractId, table.segmentStart] })],
)

/** Work View settings of one contract (screenshots per segment, 0-3); absent means the default. */
export const workviewSettingsTable = pgTable(
  'workview_settings',
  {
    contractId: uuid('contract_id')
      .primaryKey()
      .references(() => contractsTable.id),
    screenshotsPerSegment: integer('screenshots_per_segment').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [check('workview_settings_count_check', sql`${table.screenshotsPerSegment} between 0 and 3`)],
)

/**
 * One week (Monday 00:00 to Sunday 24:00 UTC) of an hourly contract. Created `open` with the
 * week's first upload; the row lock on it serializes uploads against submission.
 * `open -> submitted -> (approved | disputed -> approved)`. The totals are frozen at submit.
 */
export const timesheetsTable = pgTable(
  'timesheets',
  {
    id: uuid('id').primaryKey(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    weekStart: timestamp('week_start', { withTimezone: true, mode: 'date' }).notNull(),
    state: varchar('state', { length: 16 }).notNull(),
    notes: text('notes').notNull().default(''),
    /** Frozen at submit: minutes and amounts of the week (see tracker.billing.ts). */
    totals: jsonb('totals'),
    hourlyRate: bigint('hourly_rate', { mode: 'number' }),
    currency: varchar('currency', { length: 3 }).notNull(),
    /** Billable amount of the week, minor units (billable minutes x rate / 60, half up). */
    amount: bigint('amount', { mode: 'number' }),
    /**
     * Until when the freelancer may submit the week (then it is submitted for them). This and
     * `reviewDueAt` come from the operator's settings when the timesheet is created and are
     * kept; null on weeks created before (Monday 12:00 UTC).
     */
    submitDueAt: timestamp('submit_due_at', { withTimezone: true, mode: 'date' }),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }),
    /** `freelancer` or `system` (the Monday 12:00 deadline). */
    submittedBy: varchar('submitted_by', { length: 16 }),
    reviewDueAt: timestamp('review_due_at', { withTimezone: true, mode: 'date' }),
    approvedAt: timestamp('approved_at', { withTimezone: true, mode: 'date' }),
    /** `client` or `system` (no action by the end of the review window). */
    approvedBy: varchar('approved_by', { length: 16 }),
    /** Minutes paid when the undisputed part was approved (all billable minutes without a dispute). */
    approvedMinutes: integer('approved_minutes'),
    /** Invoices of this week (ids in the invoices module): the draft, then the formal ones. */
    invoiceIds: jsonb('invoice_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    uniqueIndex('timesheets_contract_week_idx').on(table.contractId, table.weekStart),
    check('timesheets_state_check', sql`${table.state} in ('open', 'submitted', 'disputed', 'approved')`),
  ],
)

/**
 * A client's dispute of some of a week's minutes. Only these minutes wait; the rest of the
 * week was approved when the dispute opened. Resolved by the freelancer conceding, by both
 * proposing the same minutes, by an operator, or (no answer in time) for the client.
 */
export const timesheetDisputesTable = pgTable(
  'timesheet_disputes',
  {
    id: uuid('id').primaryKey(),
    timesheetId: uuid('timesheet_id')
      .notNull()
      .unique()
      .references(() => timesheetsTable.id),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    state: varchar('state', { length: 16 }).notNull(),
    disputedMinutes: integer('disputed_minutes').notNull(),
    reason: text('reason').notNull(),
    response: text('response'),
    respondedAt: timestamp('responded_at', { withTimezone: true, mode: 'date' }),
    respondBy: timestamp('respond_by', { withTimezone: true, mode: 'date' }).notNull(),
    /** Minutes (of the disputed ones) each side proposes to pay; equal proposals settle. */
    clientProposal: integer('client_proposal'),
    freelancerProposal: integer('freelancer_proposal'),
    /** Of the disputed minutes, how many are paid in the end. */
    resolvedMinutes: integer('resolved_minutes'),
    resolvedBy: varchar('resolved_by', { length: 16 }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    index('timesheet_disputes_contract_idx').on(table.contractId),
    check('timesheet_disputes_state_check', sql`${table.state} in ('open', 'escalated', 'resolved')`),
  ],
)
