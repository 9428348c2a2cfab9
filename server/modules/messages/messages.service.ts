import type { Database } from '../../../db/client.js'
import { createBatcher } from '../../batch.js'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import { parseSeqCursor, seqCursor } from '../../http/seq-cursor.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { appendActivitiesAcross } from '../activity/index.js'
import type { EventsService } from '../events/index.js'
import { findAttachableFiles, type FileRow } from '../files/index.js'
import { getMembership, workroomErrors } from '../workrooms/index.js'
import { messageErrors } from './messages.errors.js'
import { noticeMessages, type MessageNoticeDeps } from './messages.notices.js'
import { createBatches } from './messages.queue.js'
import { createMessagesRepository, type AttachmentRow, type MessageRow, type ThreadRow } from './messages.repository.js'

export interface AttachmentDto {
  id: string
  name: string
  version: number
  size: number
  contentType: string
  /** The file was deleted after it was attached: listed, no longer downloadable. */
  deleted: boolean
}

export interface MessageDto {
  id: string
  threadId: string
  body: string
  authorId: string
  createdAt: string
  attachments: AttachmentDto[]
}

export interface ThreadDto {
  id: string
  workroomId: string
  freelancer: { id: string; name: string }
  unreadCount: number
  lastReadMessageId: string | null
  lastMessage: { id: string; authorId: string; createdAt: string; preview: string } | null
  createdAt: string
}

/** Characters of the last message shown in a thread list. */
const PREVIEW_CHARS = 200

/** Messages appended in one transaction at most (docs/performance.md). */
const MAX_BATCH = 64

interface PendingMessage {
  thread: ThreadRow
  clientId: string
  authorId: string
  body: string
  fileIds: string[]
}

function toMessageDto(row: MessageRow, attachments: AttachmentRow[]): MessageDto {
  return {
    id: row.id,
    threadId: row.threadId,
    body: row.body,
    authorId: row.authorId,
    createdAt: row.createdAt.toISOString(),
    attachments: attachments.map(({ messageId: _messageId, ...rest }) => rest),
  }
}

export function createMessagesService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  events: Pick<EventsService, 'publish'>
  /** Notifies an offline recipient (messages.notices.ts). */
  notices: MessageNoticeDeps
  /**
   * Batches stored at once (on their own connections). One on PGlite, whose one connection runs
   * transactions one after another: parallel batches would only be smaller.
   */
  parallelBatches: number
  /**
   * `together`: the threads of posts arriving together are looked up in one query (PGlite,
   * whose one connection runs statements one after another). `each`: one query a post, run at
   * once on the pool's connections (Postgres: batched, a crowd waited for one query at a time
   * and posts into one thread went 19-31% slower).
   */
  threadLookups: 'together' | 'each'
}) {
  const { db, clock, ids, events } = deps
  const repository = createMessagesRepository(db)

  const findThread =
    deps.threadLookups === 'together'
      ? createBatcher((asked: Array<{ threadId: string; userId: string }>) => repository.findThreads(asked), 64)
      : async (asked: { threadId: string; userId: string }) => (await repository.findThreads([asked]))[0]!

  /** The thread, if the caller is its client or its freelancer; otherwise it does not exist for them. */
  async function threadFor(userId: string, threadId: string) {
    const found = await findThread({ threadId, userId })
    if (!found) throw messageErrors.threadNotFound()
    const allowed = found.role === 'client' || (found.role === 'freelancer' && found.thread.freelancerId === userId)
    if (!allowed) throw messageErrors.threadNotFound()
    return found
  }

  /**
   * Stores messages, of one workroom or of several, in one transaction: the workrooms locked
   * in id order and each one's activity chain extended once for all its messages, one insert,
   * one commit. Their attachments were checked in it.
   */
  async function store(pending: PendingMessage[]) {
    return db.transaction(async (tx) => {
      const attached: FileRow[][] = []
      for (const message of pending) {
        const files = await findAttachableFiles(tx, {
          workroomId: message.thread.workroomId,
          threadId: message.thread.id,
          fileIds: message.fileIds,
        })
        if (files.length !== message.fileIds.length) throw messageErrors.invalidAttachment()
        attached.push(message.fileIds.map((id) => files.find((file) => file.id === id)!))
      }
      const txRepository = createMessagesRepository(tx)
      const now = clock.now()
      const messages = pending.map((message) => ({
        id: ids.newId(),
        threadId: message.thread.id,
        workroomId: message.thread.workroomId,
        authorId: message.authorId,
        body: message.body,
        createdAt: now,
      }))
      // Each workroom's messages, in the order they were posted.
      const byWorkroom = new Map<string, number[]>()
      pending.forEach((message, i) => {
        const list = byWorkroom.get(message.thread.workroomId)
        if (list) list.push(i)
        else byWorkroom.set(message.thread.workroomId, [i])
      })
      // The messages' insert and the chains' locks and heads are sent together (one round trip
      // on Postgres, which runs them in order); the log records that a message was posted,
      // never what it said.
      const [rows] = await Promise.all([
        txRepository.insertMessages(messages),
        appendActivitiesAcross(
          tx,
          { clock, ids },
          [...byWorkroom].map(([workroomId, indexes]) => ({
            workroomId,
            inputs: indexes.map((i) => ({
              actorId: messages[i]!.authorId,
              type: 'message.posted',
              scopeFreelancerId: pending[i]!.thread.freelancerId,
              data: {
                threadId: messages[i]!.threadId,
                messageId: messages[i]!.id,
                attachments: pending[i]!.fileIds.length,
              },
            })),
          })),
        ),
      ])
      for (const [i, row] of rows.entries()) await txRepository.insertAttachments(row.id, pending[i]!.fileIds)
      const parties = new Map(
        pending.map((message) => [
          message.thread.id,
          { clientId: message.clientId, freelancerId: message.thread.freelancerId },
        ]),
      )
      await noticeMessages(deps.notices, tx, { messages: rows, partiesOf: (threadId) => parties.get(threadId)! })
      return rows.map((row, i) =>
        toMessageDto(
          row,
          attached[i]!.map((file) => ({
            messageId: row.id,
            id: file.id,
            name: file.name,
            version: file.version,
            size: file.size,
            contentType: file.contentType,
            deleted: false,
          })),
        ),
      )
    })
  }
  const batches = createBatches(store, {
    maxBatch: MAX_BATCH,
    maxInFlight: deps.parallelBatches,
    keyOf: (message) => message.thread.workroomId,
  })

  async function withAttachments(rows: MessageRow[]): Promise<MessageDto[]> {
    const attachments = await repository.attachmentsOf(rows.map((row) => row.id))
    return rows.map((row) =>
      toMessageDto(
        row,
        attachments.filter((a) => a.messageId === row.id),
      ),
    )
  }

  return {
    async listThreads(input: { userId: string; workroomId: string; cursor?: string; limit: number }) {
      const membership = await getMembership(db, input.workroomId, input.userId)
      if (!membership) throw workroomErrors.notFound()
      const rows = await repository.threads({
        workroomId: input.workroomId,
        ...(membership.role === 'freelancer' ? { freelancerId: membership.freelancerId } : {}),
        ...(input.cursor !== undefined ? { after: parseTimeIdCursor(input.cursor) } : {}),
        limit: input.limit + 1,
      })
      const page = rows.slice(0, input.limit)
      const threadIds = page.map((thread) => thread.id)
      const last = await repository.lastMessages(threadIds)
      const unread = await repository.unreadCounts(threadIds, input.userId)
      const markers = await repository.readMarkers(threadIds, input.userId)
      const items: ThreadDto[] = page.map((thread) => {
        const lastMessage = last.find((message) => message.threadId === thread.id)
        return {
          id: thread.id,
          workroomId: thread.workroomId,
          freelancer: { id: thread.freelancerId, name: thread.freelancerName },
          unreadCount: unread.get(thread.id) ?? 0,
          lastReadMessageId: markers.get(thread.id) ?? null,
          lastMessage: lastMessage
            ? {
                id: lastMessage.id,
                authorId: lastMessage.authorId,
                createdAt: lastMessage.createdAt.toISOString(),
                preview: [...lastMessage.body].slice(0, PREVIEW_CHARS).join(''),
              }
            : null,
          createdAt: thread.createdAt.toISOString(),
        }
      })
      return {
        items,
        nextCursor:
          rows.length > input.limit ? timeIdCursor(page[page.length - 1]!.createdAt, page[page.length - 1]!.id) : null,
      }
    },

    /** History, newest first by default (a chat opens at the bottom and scrolls back); `oldest` reads forward. */
    async listMessages(input: {
      userId: string
      threadId: string
      order: 'newest' | 'oldest'
      cursor?: string
      limit: number
    }) {
      await threadFor(input.userId, input.threadId)
      const rows = await repository.page({
        threadId: input.threadId,
        order: input.order,
        ...(input.cursor !== undefined ? { afterSeq: parseSeqCursor(input.cursor) } : {}),
        limit: input.limit + 1,
      })
      const page = rows.slice(0, input.limit)
      return {
        items: await withAttachments(page),
        nextCursor: rows.length > input.limit ? seqCursor(page[page.length - 1]!.seq) : null,
      }
    },

    async post(input: {
      userId: string
      threadId: string
      body: string
      attachmentFileIds?: readonly string[]
    }): Promise<MessageDto> {
      const { thread, clientId } = await threadFor(input.userId, input.threadId)
      if (input.body.trim() === '') throw messageErrors.emptyBody()
      // Messages posted while the last batch is being stored wait and are stored together.
      const dto = await batches.submit({
        thread,
        clientId,
        authorId: input.userId,
        body: input.body,
        fileIds: [...new Set(input.attachmentFileIds ?? [])],
      })
      // Both parties: the other one, and the author's other tabs and devices.
      await events.publish([clientId, thread.freelancerId], {
        type: 'message.created',
        workroomId: thread.workroomId,
        data: dto,
      })
      return dto
    },

    async markRead(input: { userId: string; threadId: string; upToMessageId: string }) {
      const { thread, clientId } = await threadFor(input.userId, input.threadId)
      const message = await repository.findMessage(thread.id, input.upToMessageId)
      if (!message) throw messageErrors.unknownMessage()
      const { lastReadMessageId } = await repository.markRead({
        threadId: thread.id,
        userId: input.userId,
        seq: message.seq,
        messageId: message.id,
        at: clock.now(),
      })
      const unread = await repository.unreadCounts([thread.id], input.userId)
      await events.publish([clientId, thread.freelancerId], {
        type: 'thread.read',
        workroomId: thread.workroomId,
        data: { threadId: thread.id, userId: input.userId, lastReadMessageId },
      })
      return { threadId: thread.id, lastReadMessageId, unreadCount: unread.get(thread.id) ?? 0 }
    },
  }
}

export type MessagesService = ReturnType<typeof createMessagesService>
