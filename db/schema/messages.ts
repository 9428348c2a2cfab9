import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { filesTable } from './files.js'
import { threadsTable, workroomsTable } from './workrooms.js'

/** A private message in a thread (client <-> one freelancer). Never edited. */
export const messagesTable = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey(),
    /** The order of messages and the history cursor (ids are random, clocks can tie). */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    threadId: uuid('thread_id')
      .notNull()
      .references(() => threadsTable.id, { onDelete: 'cascade' }),
    workroomId: uuid('workroom_id')
      .notNull()
      .references(() => workroomsTable.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id')
      .notNull()
      .references(() => usersTable.id),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('messages_thread_seq_idx').on(table.threadId, table.seq)],
)

/** Files attached to a message, in the order given. */
export const messageAttachmentsTable = pgTable(
  'message_attachments',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => messagesTable.id, { onDelete: 'cascade' }),
    fileId: uuid('file_id')
      .notNull()
      .references(() => filesTable.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.messageId, table.fileId] }),
    index('message_attachments_file_idx').on(table.fileId),
  ],
)

/** How far each party has read a thread (read markers only move forward). */
export const threadReadsTable = pgTable(
  'thread_reads',
  {
    threadId: uuid('thread_id')
      .notNull()
      .references(() => threadsTable.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id),
    lastReadSeq: bigint('last_read_seq', { mode: 'number' }).notNull(),
    lastReadMessageId: uuid('last_read_message_id').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.threadId, table.userId] })],
)
