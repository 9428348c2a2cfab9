import { and, asc, desc, eq, gt, inArray, lt, ne, sql } from 'drizzle-orm'
import { arrayText, queryRows, type Executor } from '../../../db/client.js'
import {
  filesTable,
  messageAttachmentsTable,
  messagesTable,
  threadReadsTable,
  threadsTable,
  usersTable,
  workroomMembersTable,
  workroomsTable,
} from '../../../db/schema/index.js'

export type MessageRow = typeof messagesTable.$inferSelect
export type ThreadRow = typeof threadsTable.$inferSelect

export interface AttachmentRow {
  messageId: string
  id: string
  name: string
  version: number
  size: number
  contentType: string
  deleted: boolean
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function createMessagesRepository(db: Executor) {
  return {
    /**
     * Each thread with its workroom's client (the two people who may read and write in it) and
     * the user's role in that workroom (null: not a member), for many (thread, user) pairs in
     * one query; the answers in the order asked, null where the thread does not exist.
     */
    async findThreads(
      asked: ReadonlyArray<{ threadId: string; userId: string }>,
    ): Promise<Array<{ thread: ThreadRow; clientId: string; role: string | null } | null>> {
      // Only ids in Postgres' own spelling go into the shared array (the route's format also
      // lets `urn:uuid:...` through, which Postgres would refuse, failing every lookup with it).
      const isValid = (a: { threadId: string; userId: string }) =>
        CANONICAL_UUID.test(a.threadId) && CANONICAL_UUID.test(a.userId)
      const valid = asked.filter(isValid)
      if (valid.length === 0) return asked.map(() => null)
      const rows = await db
        .select({
          n: sql<number>`q.n`.mapWith(Number),
          thread: threadsTable,
          clientId: workroomsTable.clientId,
          role: workroomMembersTable.role,
        })
        .from(
          sql`unnest(${arrayText(valid.map((a) => a.threadId))}::uuid[], ${arrayText(valid.map((a) => a.userId))}::uuid[]) with ordinality as q(thread_id, user_id, n)`,
        )
        .innerJoin(threadsTable, sql`${threadsTable.id} = q.thread_id`)
        .innerJoin(workroomsTable, eq(workroomsTable.id, threadsTable.workroomId))
        .leftJoin(
          workroomMembersTable,
          and(
            eq(workroomMembersTable.workroomId, threadsTable.workroomId),
            sql`${workroomMembersTable.userId} = q.user_id`,
          ),
        )
      const byPosition = new Map(rows.map(({ n, ...found }) => [n, found]))
      let position = 0
      return asked.map((a) => (isValid(a) ? (byPosition.get(++position) ?? null) : null))
    },
    /** Inserts the messages in one statement; returns them in the order given. */
    async insertMessages(rows: Array<Omit<typeof messagesTable.$inferInsert, 'seq'>>): Promise<MessageRow[]> {
      const inserted = await db.insert(messagesTable).values(rows).returning()
      const byId = new Map(inserted.map((row) => [row.id, row]))
      return rows.map((row) => byId.get(row.id)!)
    },
    async insertAttachments(messageId: string, fileIds: readonly string[]): Promise<void> {
      if (fileIds.length === 0) return
      await db
        .insert(messageAttachmentsTable)
        .values(fileIds.map((fileId, position) => ({ messageId, fileId, position })))
    },
    /** One page of a thread's messages, by `seq` in either direction. */
    async page(input: {
      threadId: string
      order: 'newest' | 'oldest'
      afterSeq?: number
      limit: number
    }): Promise<MessageRow[]> {
      const newest = input.order === 'newest'
      const cursor =
        input.afterSeq === undefined
          ? undefined
          : newest
            ? lt(messagesTable.seq, input.afterSeq)
            : gt(messagesTable.seq, input.afterSeq)
      return db
        .select()
        .from(messagesTable)
        .where(and(eq(messagesTable.threadId, input.threadId), cursor))
        .orderBy(newest ? desc(messagesTable.seq) : asc(messagesTable.seq))
        .limit(input.limit)
    },
    async attachmentsOf(messageIds: readonly string[]): Promise<AttachmentRow[]> {
      if (messageIds.length === 0) return []
      const rows = await db
        .select({
          messageId: messageAttachmentsTable.messageId,
          id: filesTable.id,
          name: filesTable.name,
          version: filesTable.version,
          size: filesTable.size,
          contentType: filesTable.contentType,
          deletedAt: filesTable.deletedAt,
        })
        .from(messageAttachmentsTable)
        .innerJoin(filesTable, eq(filesTable.id, messageAttachmentsTable.fileId))
        .where(inArray(messageAttachmentsTable.messageId, [...messageIds]))
        .orderBy(asc(messageAttachmentsTable.position))
      return rows.map(({ deletedAt, ...rest }) => ({ ...rest, deleted: deletedAt !== null }))
    },
    /** Threads of a workroom (one freelancer's, or all), oldest first, with the freelancer's name. */
    async threads(input: {
      workroomId: string
      freelancerId?: string
      after?: { at: Date; id: string }
      limit: number
    }): Promise<Array<ThreadRow & { freelancerName: string }>> {
      const rows = await db
        .select({ thread: threadsTable, freelancerName: usersTable.name })
        .from(threadsTable)
        .innerJoin(usersTable, eq(usersTable.id, threadsTable.freelancerId))
        .where(
          and(
            eq(threadsTable.workroomId, input.workroomId),
            input.freelancerId ? eq(threadsTable.freelancerId, input.freelancerId) : undefined,
            input.after
              ? sql`(${threadsTable.createdAt}, ${threadsTable.id}) > (${input.after.at.toISOString()}::timestamptz, ${input.after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(threadsTable.createdAt), asc(threadsTable.id))
        .limit(input.limit)
      return rows.map((row) => ({ ...row.thread, freelancerName: row.freelancerName }))
    },
    async lastMessages(threadIds: readonly string[]): Promise<MessageRow[]> {
      if (threadIds.length === 0) return []
      return db
        .selectDistinctOn([messagesTable.threadId])
        .from(messagesTable)
        .where(inArray(messagesTable.threadId, [...threadIds]))
        .orderBy(messagesTable.threadId, desc(messagesTable.seq))
    },
    /** Messages from the other party after this user's read marker, per thread. */
    async unreadCounts(threadIds: readonly string[], userId: string): Promise<Map<string, number>> {
      if (threadIds.length === 0) return new Map()
      const rows = await db
        .select({ threadId: messagesTable.threadId, unread: sql<number>`count(*)::int` })
        .from(messagesTable)
        .leftJoin(
          threadReadsTable,
          and(eq(threadReadsTable.threadId, messagesTable.threadId), eq(threadReadsTable.userId, userId)),
        )
        .where(
          and(
            inArray(messagesTable.threadId, [...threadIds]),
            ne(messagesTable.authorId, userId),
            sql`${messagesTable.seq} > coalesce(${threadReadsTable.lastReadSeq}, 0)`,
          ),
        )
        .groupBy(messagesTable.threadId)
      return new Map(rows.map((row) => [row.threadId, Number(row.unread)]))
    },
    /**
     * Which readers have an unread message of someone else's in a thread besides `except` (a
     * batch's own messages); answers `${userId} ${threadId}` for each. Stops at the first such
     * message (the thread's index from the reader's marker on), where counting them grew with
     * every unread message of a busy thread. One statement for any number of threads and
     * readers. Not bounded by `seq`: a message's number is drawn at insert, before its
     * workroom's lock, so another instance's message committed first may carry a higher one.
     */
    async threadsWithOtherUnread(
      entries: ReadonlyArray<{ threadId: string; userId: string }>,
      except: readonly string[],
    ): Promise<Set<string>> {
      if (entries.length === 0) return new Set()
      // Array parameters as text literals, which both drivers bind alike (UUIDs only).
      const rows = await queryRows<{ thread_id: string; user_id: string }>(
        db,
        sql`select t.thread_id, t.user_id
          from unnest(${arrayText(entries.map((e) => e.threadId))}::uuid[], ${arrayText(entries.map((e) => e.userId))}::uuid[])
            as t(thread_id, user_id)
          where exists (select 1 from ${messagesTable} m
            where m.thread_id = t.thread_id and m.author_id <> t.user_id and m.id <> all(${arrayText(except)}::uuid[])
              and m.seq > coalesce((select r.last_read_seq from ${threadReadsTable} r
                where r.thread_id = t.thread_id and r.user_id = t.user_id), 0))`,
      )
      return new Set(rows.map((row) => `${row.user_id} ${row.thread_id}`))
    },
    async findMessage(threadId: string, messageId: string): Promise<MessageRow | null> {
      const [row] = await db
        .select()
        .from(messagesTable)
        .where(and(eq(messagesTable.threadId, threadId), eq(messagesTable.id, messageId)))
        .limit(1)
      return row ?? null
    },
    /** Moves the read marker forward (never back) and returns where it now is. */
    async markRead(input: {
      threadId: string
      userId: string
      seq: number
      messageId: string
      at: Date
    }): Promise<{ lastReadMessageId: string }> {
      const [row] = await db
        .insert(threadReadsTable)
        .values({
          threadId: input.threadId,
          userId: input.userId,
          lastReadSeq: input.seq,
          lastReadMessageId: input.messageId,
          updatedAt: input.at,
        })
        .onConflictDoUpdate({
          target: [threadReadsTable.threadId, threadReadsTable.userId],
          set: {
            lastReadSeq: sql`greatest(${threadReadsTable.lastReadSeq}, excluded.last_read_seq)`,
            lastReadMessageId: sql`case when excluded.last_read_seq > ${threadReadsTable.lastReadSeq} then excluded.last_read_message_id else ${threadReadsTable.lastReadMessageId} end`,
            updatedAt: input.at,
          },
        })
        .returning({ lastReadMessageId: threadReadsTable.lastReadMessageId })
      return row!
    },
    /** This user's read marker in each of these threads (threads never read are absent). */
    async readMarkers(threadIds: readonly string[], userId: string): Promise<Map<string, string>> {
      if (threadIds.length === 0) return new Map()
      const rows = await db
        .select({ threadId: threadReadsTable.threadId, messageId: threadReadsTable.lastReadMessageId })
        .from(threadReadsTable)
        .where(and(inArray(threadReadsTable.threadId, [...threadIds]), eq(threadReadsTable.userId, userId)))
      return new Map(rows.map((row) => [row.threadId, row.messageId]))
    },
  }
}

export type MessagesRepository = ReturnType<typeof createMessagesRepository>
