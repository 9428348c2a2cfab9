import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { jobsTable } from './jobs.js'
import { threadsTable, workroomsTable } from './workrooms.js'

/** One step of a proposal's milestone plan; `dueDate` is a calendar date (YYYY-MM-DD). */
export interface PlannedMilestone {
  title: string
  amount: number
  dueDate: string | null
}

/**
 * A freelancer's bid on a job. `submitted -> shortlisted -> (declined | withdrawn | hired)`
 * (hire and decline also straight from `submitted`). A freelancer holds at most one live
 * (submitted, shortlisted or hired) proposal per job.
 */
export const proposalsTable = pgTable(
  'proposals',
  {
    id: uuid('id').primaryKey(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobsTable.id),
    workroomId: uuid('workroom_id')
      .notNull()
      .references(() => workroomsTable.id),
    freelancerId: uuid('freelancer_id')
      .notNull()
      .references(() => usersTable.id),
    /** The freelancer's private thread with the client, opened on the first contact. */
    threadId: uuid('thread_id')
      .notNull()
      .references(() => threadsTable.id),
    state: varchar('state', { length: 16 }).notNull(),
    coverLetter: text('cover_letter').notNull(),
    /** Fixed jobs: the whole price; hourly jobs: the rate per hour. Minor units of `currency`. */
    bidAmount: bigint('bid_amount', { mode: 'number' }),
    hourlyRate: bigint('hourly_rate', { mode: 'number' }),
    /** The job's currency when the proposal was made (it cannot change once proposals exist). */
    currency: varchar('currency', { length: 3 }).notNull(),
    estimatedDays: integer('estimated_days').notNull(),
    milestones: jsonb('milestones').$type<PlannedMilestone[]>(),
    /** Ids of files in the workroom the freelancer may see. */
    attachmentFileIds: uuid('attachment_file_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    uniqueIndex('proposals_one_live_idx')
      .on(table.jobId, table.freelancerId)
      .where(sql`${table.state} in ('submitted', 'shortlisted', 'hired')`),
    index('proposals_job_idx').on(table.jobId, table.createdAt),
    index('proposals_freelancer_idx').on(table.freelancerId, table.createdAt),
    check(
      'proposals_state_check',
      sql`${table.state} in ('submitted', 'shortlisted', 'declined', 'withdrawn', 'hired')`,
    ),
    check(
      'proposals_bid_check',
      sql`(${table.bidAmount} is not null and ${table.bidAmount} > 0 and ${table.hourlyRate} is null)
        or (${table.hourlyRate} is not null and ${table.hourlyRate} > 0 and ${table.bidAmount} is null)`,
    ),
    check('proposals_days_check', sql`${table.estimatedDays} > 0`),
  ],
)
