import type { Database, Transaction } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import type { EventsService } from '../events/index.js'
import type { Digest } from './notifications.digest.js'
import type { EmailChannel } from './notifications.email.js'
import { notificationErrors } from './notifications.errors.js'
import {
  eventCommitted,
  insertNotifications,
  listNotifications,
  markRead,
  preferencesOf,
  setPreference,
  unreadCounts,
  type NewNotificationRow,
  type NotificationRow,
} from './notifications.repository.js'
import {
  ALWAYS_ON,
  CATEGORY_OF,
  DEFAULT_CHANNELS,
  NOTIFICATION_CATEGORIES,
  isNotificationType,
  type NotificationCategory,
  type NotificationChannel,
  type NotificationInput,
  type NotifiedEvent,
  type NotifiedListener,
  type NotifyContext,
} from './notifications.types.js'

export interface NotificationsService {
  /**
   * Inside the caller's transaction: rows written, channels (email, webhooks) enqueued in the
   * same transaction, the live push queued for after commit through `context.afterCommit`.
   * Without a context the push waits for the rows to become visible (see waitForCommit).
   */
  notify(tx: Transaction, input: NotificationInput, context?: NotifyContext): Promise<NotifiedEvent>
  /** Channels register at plugin start; called inside the same transaction as notify(). */
  onNotified(listener: NotifiedListener): void
  list(
    userId: string,
    query: { limit: number; cursor?: string | undefined; unreadOnly: boolean },
  ): Promise<{ items: NotificationRow[]; nextCursor: string | null; unread: number }>
  markRead(
    userId: string,
    what: { ids: readonly string[] } | { all: true },
  ): Promise<{ updated: number; unread: number }>
  preferences(userId: string): Promise<Record<NotificationCategory, NotificationChannel>>
  setPreferences(
    userId: string,
    changes: Partial<Record<NotificationCategory, NotificationChannel>>,
  ): Promise<Record<NotificationCategory, NotificationChannel>>
  /** Publishes `notification.created` with each recipient's unread count (after commit). */
  push(event: NotifiedEvent): Promise<void>
}

export function createNotificationsService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  events: EventsService | null
  email: EmailChannel
  digest: Digest
  log: { warn(obj: object, msg: string): void }
}): NotificationsService {
  const { db, clock, ids, events, email, digest, log } = deps
  const listeners: NotifiedListener[] = []

  const resolve = (rows: { category: string; channel: string }[]) => {
    const out = { ...DEFAULT_CHANNELS }
    for (const row of rows) {
      if ((NOTIFICATION_CATEGORIES as readonly string[]).includes(row.category))
        out[row.category as NotificationCategory] = row.channel as NotificationChannel
    }
    return out
  }

  async function push(event: NotifiedEvent): Promise<void> {
    if (!events || event.recipients.length === 0) return
    const counts = await unreadCounts(
      db,
      event.recipients.map((r) => r.userId),
    )
    await Promise.all(
      event.recipients.map((recipient) =>
        events.publish([recipient.userId], {
          type: 'notification.created',
          ...(event.workroomId ? { workroomId: event.workroomId } : {}),
          data: {
            notification: {
              id: recipient.notificationId,
              eventId: event.eventId,
              type: event.type,
              category: CATEGORY_OF[event.type],
              title: event.title,
              link: event.link,
              subject: event.subject,
              workroomId: event.workroomId ?? null,
              contractId: event.contractId ?? null,
              data: event.data ?? {},
              readAt: null,
              createdAt: event.createdAt.toISOString(),
            },
            unread: counts.get(recipient.userId) ?? 0,
          },
        }),
      ),
    )
  }

  /**
   * No afterCommit from the caller: ask the database (outside the transaction) until the
   * rows are visible, then push. On PGlite the outside query queues behind the open
   * transaction, so it answers right after the commit; on Postgres it polls every 100 ms
   * for up to 30 s. A rolled-back transaction leaves nothing to see, and nothing is pushed.
   */
  function waitForCommit(event: NotifiedEvent): void {
    let tries = 0
    const attempt = () => {
      eventCommitted(db, event.eventId)
        .then((visible) => {
          if (visible) return push(event)
          if (++tries < 300) setTimeout(attempt, 100).unref()
          return undefined
        })
        .catch((err: unknown) => log.warn({ err, eventId: event.eventId }, 'notification not pushed live'))
    }
    setTimeout(attempt, 0).unref()
  }

  return {
    async notify(tx, input, context) {
      if (!isNotificationType(input.type))
        throw notificationErrors.unknownType(`Unknown notification type ${input.type}`)
      const category = CATEGORY_OF[input.type]
      const eventId = ids.newId()
      const createdAt = clock.now()
      const userIds = [...new Set(input.userIds)]
      const chosen = new Map((await preferencesOf(tx, userIds, category)).map((p) => [p.userId, p.channel]))
      const rows: NewNotificationRow[] = []
      const emailTo: { userId: string; notificationId: string }[] = []
      for (const userId of userIds) {
        const channel = (chosen.get(userId) ?? DEFAULT_CHANNELS[category]) as NotificationChannel
        if (channel === 'off' && !ALWAYS_ON.has(category)) continue
        const id = ids.newId()
        rows.push({
          id,
          userId,
          eventId,
          type: input.type,
          category,
          title: input.title,
          link: input.link,
          subjectKind: input.subject.kind,
          subjectId: input.subject.id,
          workroomId: input.workroomId ?? null,
          contractId: input.contractId ?? null,
          data: input.data ?? {},
          digestPendingAt: channel === 'digest' ? createdAt : null,
          createdAt,
        })
        if (channel === 'email') emailTo.push({ userId, notificationId: id })
      }
      await insertNotifications(tx, rows)
      if (rows.some((r) => r.digestPendingAt)) await digest.ensureScheduled(tx)
      const event: NotifiedEvent = {
        type: input.type,
        workroomId: input.workroomId ?? null,
        contractId: input.contractId ?? null,
        subject: input.subject,
        title: input.title,
        link: input.link,
        data: input.data ?? {},
        eventId,
        createdAt,
        recipients: rows.map((r) => ({ userId: r.userId, notificationId: r.id })),
      }
      await email.sendNow(tx, event, category, emailTo)
      for (const listener of listeners) await listener(event, tx)
      if (event.recipients.length) {
        if (context) context.afterCommit(() => push(event))
        else waitForCommit(event)
      }
      return event
    },

    onNotified(listener) {
      listeners.push(listener)
    },

    async list(userId, query) {
      const cursor = query.cursor ? parseTimeIdCursor(query.cursor) : null
      const rows = await listNotifications(db, userId, { limit: query.limit + 1, cursor, unreadOnly: query.unreadOnly })
      const items = rows.slice(0, query.limit)
      const last = items.at(-1)
      const nextCursor = rows.length > query.limit && last ? timeIdCursor(last.createdAt, last.id) : null
      const unread = (await unreadCounts(db, [userId])).get(userId) ?? 0
      return { items, nextCursor, unread }
    },

    async markRead(userId, what) {
      const updated = await markRead(db, userId, 'all' in what ? 'all' : what.ids, clock.now())
      const unread = (await unreadCounts(db, [userId])).get(userId) ?? 0
      if (updated > 0 && events) await events.publish([userId], { type: 'notification.read', data: { unread } })
      return { updated, unread }
    },

    async preferences(userId) {
      return resolve(await preferencesOf(db, [userId]))
    },

    async setPreferences(userId, changes) {
      const entries = Object.entries(changes) as [NotificationCategory, NotificationChannel][]
      for (const [category, channel] of entries) {
        if (channel === 'off' && ALWAYS_ON.has(category)) throw notificationErrors.cannotTurnOff()
      }
      const at = clock.now()
      await db.transaction(async (tx) => {
        for (const [category, channel] of entries) await setPreference(tx, userId, category, channel, at)
      })
      return resolve(await preferencesOf(db, [userId]))
    },

    push,
  }
}
