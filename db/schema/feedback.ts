import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, smallint, text, timestamp, unique, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { contractsTable } from './contracts.js'

/**
 * The feedback window of one ended contract: opened when the contract ends (if it was ever
 * accepted), closing `FEEDBACK_WINDOW_DAYS` later. `revealedAt` is set when both parties have
 * left feedback (then: the second submission's time) or by the closing deadline (then:
 * `closesAt` itself, however late the scheduler ran). The row is also the lock that
 * serializes the two parties' submissions, so "both are in" is never missed.
 */
export const feedbackWindowsTable = pgTable(
  'feedback_windows',
  {
    contractId: uuid('contract_id')
      .primaryKey()
      .references(() => contractsTable.id),
    /** The contract's end. */
    openedAt: timestamp('opened_at', { withTimezone: true, mode: 'date' }).notNull(),
    closesAt: timestamp('closes_at', { withTimezone: true, mode: 'date' }).notNull(),
    revealedAt: timestamp('revealed_at', { withTimezone: true, mode: 'date' }),
    /** `both` (the second party submitted) or `deadline` (the window closed). */
    revealedBy: varchar('revealed_by', { length: 8 }),
  },
  (table) => [
    check('feedback_windows_order_check', sql`${table.openedAt} < ${table.closesAt}`),
    check(
      'feedback_windows_revealed_check',
      sql`(${table.revealedAt} is null) = (${table.revealedBy} is null) and (${table.revealedBy} is null or ${table.revealedBy} in ('both', 'deadline'))`,
    ),
  ],
)

/**
 * One party's feedback on an ended contract: at most one per party (the unique key), never
 * edited (a trigger in migration `feedback_rules` refuses any UPDATE but the one that adds
 * the reply). `subjectRole` is the rated party's role: a freelancer is rated on six
 * criteria, a client on three; the other set is null.
 *
 * `score` is the 0.0-5.0 score in hundredths, exact (the CHECKs recompute it):
 * freelancer = 30·quality + 20·responsiveness + 15·professionalism + 15·expertise +
 * 10·schedule + 10·cost (weights sum to 100, so no rounding); client = the mean of the three
 * ratings × 100, rounded half up.
 */
export const feedbackTable = pgTable(
  'feedback',
  {
    id: uuid('id').primaryKey(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => feedbackWindowsTable.contractId),
    workroomId: uuid('workroom_id').notNull(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => usersTable.id),
    subjectId: uuid('subject_id')
      .notNull()
      .references(() => usersTable.id),
    subjectRole: varchar('subject_role', { length: 10 }).notNull(),
    quality: smallint('quality'),
    responsiveness: smallint('responsiveness'),
    professionalism: smallint('professionalism'),
    expertise: smallint('expertise'),
    schedule: smallint('schedule'),
    cost: smallint('cost'),
    clarity: smallint('clarity'),
    communication: smallint('communication'),
    paymentPromptness: smallint('payment_promptness'),
    score: integer('score').notNull(),
    comment: text('comment').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The rated party's one public answer. */
    reply: text('reply'),
    repliedAt: timestamp('replied_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    unique('feedback_one_per_party_key').on(table.contractId, table.authorId),
    index('feedback_subject_idx').on(table.subjectId, table.subjectRole),
    check('feedback_subject_role_check', sql`${table.subjectRole} in ('freelancer', 'client')`),
    check('feedback_not_self_check', sql`${table.authorId} <> ${table.subjectId}`),
    check(
      'feedback_ratings_range_check',
      sql`coalesce(${table.quality}, 1) between 1 and 5 and coalesce(${table.responsiveness}, 1) between 1 and 5
        and coalesce(${table.professionalism}, 1) between 1 and 5 and coalesce(${table.expertise}, 1) between 1 and 5
        and coalesce(${table.schedule}, 1) between 1 and 5 and coalesce(${table.cost}, 1) between 1 and 5
        and coalesce(${table.clarity}, 1) between 1 and 5 and coalesce(${table.communication}, 1) between 1 and 5
        and coalesce(${table.paymentPromptness}, 1) between 1 and 5`,
    ),
    check(
      'feedback_freelancer_score_check',
      sql`${table.subjectRole} <> 'freelancer' or (
        ${table.clarity} is null and ${table.communication} is null and ${table.paymentPromptness} is null
        and ${table.score} = 30 * ${table.quality} + 20 * ${table.responsiveness} + 15 * ${table.professionalism}
          + 15 * ${table.expertise} + 10 * ${table.schedule} + 10 * ${table.cost})`,
    ),
    check(
      'feedback_client_score_check',
      sql`${table.subjectRole} <> 'client' or (
        ${table.quality} is null and ${table.responsiveness} is null and ${table.professionalism} is null
        and ${table.expertise} is null and ${table.schedule} is null and ${table.cost} is null
        and ${table.score} = (200 * (${table.clarity} + ${table.communication} + ${table.paymentPromptness}) + 3) / 6)`,
    ),
    check('feedback_comment_check', sql`char_length(${table.comment}) between 1 and 5000`),
    check(
      'feedback_reply_check',
      sql`(${table.reply} is null) = (${table.repliedAt} is null) and coalesce(char_length(${table.reply}), 1) between 1 and 5000`,
    ),
  ],
)
