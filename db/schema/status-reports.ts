import { sql } from 'drizzle-orm'
import { check, date, index, integer, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { contractsTable } from './contracts.js'

/** The freelancer's weekly report on a fixed-price contract; one per contract and week (Monday, UTC). */
export const statusReportsTable = pgTable(
  'status_reports',
  {
    id: uuid('id').primaryKey(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    authorId: uuid('author_id')
      .notNull()
      .references(() => usersTable.id),
    weekStart: date('week_start', { mode: 'string' }).notNull(),
    workCompleted: text('work_completed').notNull(),
    /** Percent of the contract's work done, 0-100. */
    progress: integer('progress').notNull(),
    plans: text('plans').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    unique('status_reports_contract_week_key').on(table.contractId, table.weekStart),
    check('status_reports_progress_check', sql`${table.progress} between 0 and 100`),
  ],
)

export const statusReportCommentsTable = pgTable(
  'status_report_comments',
  {
    id: uuid('id').primaryKey(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => statusReportsTable.id),
    authorId: uuid('author_id')
      .notNull()
      .references(() => usersTable.id),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('status_report_comments_report_idx').on(table.reportId, table.createdAt)],
)

/** A week that ended without a report, flagged on the following Monday. */
export const statusReportFlagsTable = pgTable(
  'status_report_flags',
  {
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    weekStart: date('week_start', { mode: 'string' }).notNull(),
    flaggedAt: timestamp('flagged_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.contractId, table.weekStart] })],
)
