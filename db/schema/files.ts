import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { threadsTable, workroomsTable } from './workrooms.js'

/**
 * A file stored in a workroom. Each upload is one row (one version); uploads with the same
 * name in the same visibility group become versions 1, 2, 3... The bytes live in the file
 * store under `storageKey` (made by the server); `name` is the user's sanitized file name,
 * kept only as metadata. Deleting marks the row and removes the bytes; the row stays so the
 * activity log and message attachments still make sense.
 *
 * Visibility: `scope = 'thread'` means the client and the thread's freelancer
 * (`scopeFreelancerId`); `scope = 'workroom'` means every member (only the client can share
 * that way).
 */
export const filesTable = pgTable(
  'files',
  {
    id: uuid('id').primaryKey(),
    /** Listing order and cursor (ids are random). */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    workroomId: uuid('workroom_id')
      .notNull()
      .references(() => workroomsTable.id, { onDelete: 'cascade' }),
    scope: varchar('scope', { length: 16 }).notNull(),
    threadId: uuid('thread_id').references(() => threadsTable.id, { onDelete: 'cascade' }),
    scopeFreelancerId: uuid('scope_freelancer_id'),
    /** `thread:<id>` or `workroom`: versions are numbered within one group, so they leak nothing across threads. */
    versionGroup: varchar('version_group', { length: 64 }).notNull(),
    name: varchar('name', { length: 255 }).notNull(),
    version: integer('version').notNull(),
    storageKey: varchar('storage_key', { length: 300 }).notNull().unique(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: varchar('sha256', { length: 64 }).notNull(),
    /** Sniffed from the bytes, never taken from the name or the request. */
    contentType: varchar('content_type', { length: 255 }).notNull(),
    uploaderId: uuid('uploader_id')
      .notNull()
      .references(() => usersTable.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
    deletedBy: uuid('deleted_by'),
  },
  (table) => [
    uniqueIndex('files_version_idx').on(table.workroomId, table.versionGroup, table.name, table.version),
    index('files_workroom_seq_idx').on(table.workroomId, table.seq),
    check('files_scope_check', sql`${table.scope} in ('thread', 'workroom')`),
    check('files_thread_scope_check', sql`(${table.scope} = 'thread') = (${table.threadId} is not null)`),
    check('files_size_check', sql`${table.size} >= 0`),
  ],
)
