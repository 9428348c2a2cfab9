import { sql } from 'drizzle-orm'
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/** One workroom per job, created with it: the hub of everything about that job. */
export const workroomsTable = pgTable('workrooms', {
  id: uuid('id').primaryKey(),
  /** The job's client: sees everything in the workroom. */
  clientId: uuid('client_id')
    .notNull()
    .references(() => usersTable.id),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
})

/**
 * Who is in a workroom: the client, and each freelancer who was invited or proposed.
 * A freelancer member sees the job and only their own thread, proposal and contract.
 */
export const workroomMembersTable = pgTable(
  'workroom_members',
  {
    workroomId: uuid('workroom_id')
      .notNull()
      .references(() => workroomsTable.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id),
    role: varchar('role', { length: 16 }).notNull(),
    /** How they came in: `owner`, `invite`, `proposal`. */
    via: varchar('via', { length: 16 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workroomId, table.userId] }),
    index('workroom_members_user_idx').on(table.userId),
    check('workroom_members_role_check', sql`${table.role} in ('client', 'freelancer')`),
  ],
)

/** The private conversation between the client and one freelancer, from first contact on. */
export const threadsTable = pgTable(
  'threads',
  {
    id: uuid('id').primaryKey(),
    workroomId: uuid('workroom_id')
      .notNull()
      .references(() => workroomsTable.id, { onDelete: 'cascade' }),
    freelancerId: uuid('freelancer_id')
      .notNull()
      .references(() => usersTable.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [uniqueIndex('threads_workroom_freelancer_idx').on(table.workroomId, table.freelancerId)],
)

/**
 * The workroom's append-only activity log. Entries form one hash chain per workroom
 * (`hash` = sha256 of the previous hash and this entry's canonical content), so any edit
 * or deletion is detectable. `scopeFreelancerId` limits who sees an entry: null means
 * every member; a freelancer id means the client and that freelancer only.
 */
export const activityEntriesTable = pgTable(
  'activity_entries',
  {
    id: uuid('id').primaryKey(),
    workroomId: uuid('workroom_id')
      .notNull()
      .references(() => workroomsTable.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    actorId: uuid('actor_id'),
    type: varchar('type', { length: 64 }).notNull(),
    scopeFreelancerId: uuid('scope_freelancer_id'),
    data: jsonb('data').notNull(),
    prevHash: varchar('prev_hash', { length: 64 }).notNull(),
    hash: varchar('hash', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [uniqueIndex('activity_workroom_seq_idx').on(table.workroomId, table.seq)],
)
