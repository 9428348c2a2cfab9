import { and, count, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { notificationPreferencesTable, notificationsTable } from '../../../db/schema/index.js'
import type { TimeIdCursor } from '../../http/page-cursor.js'
import type { NotificationCategory, NotificationChannel } from './notifications.types.js'

export type NotificationRow = typeof notificationsTable.$inferSelect
export type NewNotificationRow = typeof notificationsTable.$inferInsert

export async function insertNotifications(executor: Executor, rows: NewNotificationRow[]): Promise<void> {
  if (rows.length) await executor.insert(notificationsTable).values(rows)
}

export async function listNotifications(
  executor: Executor,
  userId: string,
  options: { limit: number; cursor: TimeIdCursor | null; unreadOnly: boolean },
): Promise<NotificationRow[]> {
  const conditions = [eq(notificationsTable.userId, userId)]
  if (options.unreadOnly) conditions.push(isNull(notificationsTable.readAt))
  if (options.cursor) {
    const { at, id } = options.cursor
    conditions.push(
      or(
        lt(notificationsTable.createdAt, at),
        and(eq(notificationsTable.createdAt, at), lt(notificationsTable.id, id)),
      )!,
    )
  }
  return executor
    .select()
    .from(notificationsTable)
    .where(and(...conditions))
    .orderBy(desc(notificationsTable.createdAt), desc(notificationsTable.id))
    .limit(options.limit)
}

export async function unreadCounts(executor: Executor, userIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>(userIds.map((id) => [id, 0]))
  if (userIds.length === 0) return out
  const rows = await executor
    .select({ userId: notificationsTable.userId, n: count() })
    .from(notificationsTable)
    .where(and(inArray(notificationsTable.userId, [...userIds]), isNull(notificationsTable.readAt)))
    .groupBy(notificationsTable.userId)
  for (const row of rows) out.set(row.userId, Number(row.n))
  return out
}

/** Marks the user's own notifications read (others' ids match nothing); returns how many changed. */
export async function markRead(
  executor: Executor,
  userId: string,
  ids: readonly string[] | 'all',
  at: Date,
): Promise<number> {
  const conditions = [eq(notificationsTable.userId, userId), isNull(notificationsTable.readAt)]
  if (ids !== 'all') {
    if (ids.length === 0) return 0
    conditions.push(inArray(notificationsTable.id, [...ids]))
  }
  const rows = await executor
    .update(notificationsTable)
    .set({ readAt: at })
    .where(and(...conditions))
    .returning({ id: notificationsTable.id })
  return rows.length
}

export async function preferencesOf(
  executor: Executor,
  userIds: readonly string[],
  category?: NotificationCategory,
): Promise<{ userId: string; category: string; channel: string }[]> {
  if (userIds.length === 0) return []
  const conditions = [inArray(notificationPreferencesTable.userId, [...userIds])]
  if (category) conditions.push(eq(notificationPreferencesTable.category, category))
  return executor
    .select({
      userId: notificationPreferencesTable.userId,
      category: notificationPreferencesTable.category,
      channel: notificationPreferencesTable.channel,
    })
    .from(notificationPreferencesTable)
    .where(and(...conditions))
}

export async function setPreference(
  executor: Executor,
  userId: string,
  category: NotificationCategory,
  channel: NotificationChannel,
  at: Date,
): Promise<void> {
  await executor
    .insert(notificationPreferencesTable)
    .values({ userId, category, channel, updatedAt: at })
    .onConflictDoUpdate({
      target: [notificationPreferencesTable.userId, notificationPreferencesTable.category],
      set: { channel, updatedAt: at },
    })
}

/** Users with notifications waiting for the digest, and those notifications (oldest first). */
export async function pendingDigest(executor: Executor, limitUsers: number): Promise<NotificationRow[]> {
  const users = executor
    .selectDistinct({ userId: notificationsTable.userId })
    .from(notificationsTable)
    .where(and(sql`${notificationsTable.digestPendingAt} is not null`, isNull(notificationsTable.digestedAt)))
    .limit(limitUsers)
  return executor
    .select()
    .from(notificationsTable)
    .where(
      and(
        sql`${notificationsTable.digestPendingAt} is not null`,
        isNull(notificationsTable.digestedAt),
        inArray(notificationsTable.userId, users),
      ),
    )
    .orderBy(notificationsTable.userId, notificationsTable.createdAt, notificationsTable.id)
}

export async function markDigested(executor: Executor, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length)
    await executor
      .update(notificationsTable)
      .set({ digestedAt: at })
      .where(inArray(notificationsTable.id, [...ids]))
}

export async function eventCommitted(executor: Executor, eventId: string): Promise<boolean> {
  const rows = await executor
    .select({ id: notificationsTable.id })
    .from(notificationsTable)
    .where(eq(notificationsTable.eventId, eventId))
    .limit(1)
  return rows.length > 0
}

export async function hasPendingDigest(executor: Executor): Promise<boolean> {
  const rows = await executor
    .select({ id: notificationsTable.id })
    .from(notificationsTable)
    .where(and(sql`${notificationsTable.digestPendingAt} is not null`, isNull(notificationsTable.digestedAt)))
    .limit(1)
  return rows.length > 0
}
