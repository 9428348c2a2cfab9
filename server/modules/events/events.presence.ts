import { and, eq, gt, inArray, ne, notInArray } from 'drizzle-orm'
import type { Database, Executor } from '../../../db/client.js'
import { eventStreamPresenceTable } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'

/**
 * Who has an event stream open, across instances (docs/notifications.md, "Offline"). This
 * instance answers for its own sockets from memory (exact, no delay); the other instances'
 * streams are rows in `event_stream_presence`, written when a user's stream opens, refreshed
 * every keepalive round and deleted when their last stream here closes. A row outlives its
 * instance by at most `ttlMs` (a crash leaves it to expire).
 */
export interface Presence {
  /** Those of `userIds` with no event stream open on any instance. */
  offline(executor: Executor, userIds: readonly string[]): Promise<string[]>
}

export function createPresence(deps: {
  db: Database
  clock: Clock
  instanceId: string
  ttlMs: number
  /** Users holding an event stream on this instance right now. */
  localUsers(): readonly string[]
}): Presence & {
  opened(userId: string): Promise<void>
  closed(userId: string): Promise<void>
  refresh(): Promise<void>
  stop(): Promise<void>
} {
  const { db, clock, instanceId } = deps
  const t = eventStreamPresenceTable
  const until = () => new Date(clock.now().getTime() + deps.ttlMs)

  const upsert = (userIds: readonly string[]) =>
    db
      .insert(t)
      .values(userIds.map((userId) => ({ instanceId, userId, seenUntil: until() })))
      .onConflictDoUpdate({ target: [t.instanceId, t.userId], set: { seenUntil: until() } })

  return {
    async offline(executor, userIds) {
      const local = new Set(deps.localUsers())
      const others = [...new Set(userIds)].filter((id) => !local.has(id))
      if (others.length === 0) return []
      const rows = await executor
        .select({ userId: t.userId })
        .from(t)
        .where(and(inArray(t.userId, others), ne(t.instanceId, instanceId), gt(t.seenUntil, clock.now())))
      const online = new Set(rows.map((row) => row.userId))
      return others.filter((id) => !online.has(id))
    },

    async opened(userId) {
      await upsert([userId])
    },

    async closed(userId) {
      if (deps.localUsers().includes(userId)) return
      await db.delete(t).where(and(eq(t.instanceId, instanceId), eq(t.userId, userId)))
    },

    /** Each keepalive round: this instance's rows are exactly its users with a stream, good for another `ttlMs`. */
    async refresh() {
      const users = [...new Set(deps.localUsers())]
      await db
        .delete(t)
        .where(
          users.length ? and(eq(t.instanceId, instanceId), notInArray(t.userId, users)) : eq(t.instanceId, instanceId),
        )
      if (users.length) await upsert(users)
    },

    async stop() {
      await db.delete(t).where(eq(t.instanceId, instanceId))
    },
  }
}
