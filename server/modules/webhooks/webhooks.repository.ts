import { and, arrayOverlaps, asc, count, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { webhookAttemptsTable, webhookDeliveriesTable, webhookEndpointsTable } from '../../../db/schema/index.js'
import type { TimeIdCursor } from '../../http/page-cursor.js'

export type EndpointRow = typeof webhookEndpointsTable.$inferSelect
export type NewEndpointRow = typeof webhookEndpointsTable.$inferInsert
export type DeliveryRow = typeof webhookDeliveriesTable.$inferSelect
export type NewDeliveryRow = typeof webhookDeliveriesTable.$inferInsert
export type AttemptRow = typeof webhookAttemptsTable.$inferSelect
export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

/** A claimed delivery with what sending it needs from its endpoint. */
export interface ClaimedDelivery {
  delivery: DeliveryRow
  endpoint: Pick<EndpointRow, 'id' | 'url' | 'secret' | 'ownerId'>
}

export function createWebhooksRepository(db: Executor) {
  return {
    async insertEndpoint(row: NewEndpointRow): Promise<EndpointRow> {
      const [inserted] = await db.insert(webhookEndpointsTable).values(row).returning()
      return inserted!
    },
    async countOwned(ownerId: string): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(webhookEndpointsTable)
        .where(eq(webhookEndpointsTable.ownerId, ownerId))
      return row?.n ?? 0
    },
    /** The caller's endpoints and, for an operator, every instance-wide one. */
    async listVisible(userId: string, operator: boolean): Promise<EndpointRow[]> {
      const mine = eq(webhookEndpointsTable.ownerId, userId)
      return db
        .select()
        .from(webhookEndpointsTable)
        .where(operator ? or(mine, eq(webhookEndpointsTable.scope, 'instance')) : mine)
        .orderBy(asc(webhookEndpointsTable.createdAt), asc(webhookEndpointsTable.id))
    },
    async find(id: string, options: { lock?: boolean } = {}): Promise<EndpointRow | null> {
      const query = db.select().from(webhookEndpointsTable).where(eq(webhookEndpointsTable.id, id)).limit(1)
      const [row] = options.lock ? await query.for('no key update') : await query
      return row ?? null
    },
    async updateEndpoint(id: string, changes: Partial<NewEndpointRow>): Promise<EndpointRow> {
      const [row] = await db
        .update(webhookEndpointsTable)
        .set(changes)
        .where(eq(webhookEndpointsTable.id, id))
        .returning()
      return row!
    },
    async deleteEndpoint(id: string): Promise<void> {
      await db.delete(webhookEndpointsTable).where(eq(webhookEndpointsTable.id, id))
    },
    /** Enabled endpoints that take `type`: user ones owned by a recipient, and every instance-wide one. */
    async matching(type: string, recipientIds: readonly string[]): Promise<EndpointRow[]> {
      const owners = recipientIds.length
        ? and(eq(webhookEndpointsTable.scope, 'user'), inArray(webhookEndpointsTable.ownerId, [...recipientIds]))
        : sql`false`
      return db
        .select()
        .from(webhookEndpointsTable)
        .where(
          and(
            isNull(webhookEndpointsTable.disabledAt),
            arrayOverlaps(webhookEndpointsTable.eventTypes, [type, '*']),
            or(owners, eq(webhookEndpointsTable.scope, 'instance')),
          ),
        )
    },
    async insertDeliveries(rows: NewDeliveryRow[]): Promise<void> {
      if (rows.length) await db.insert(webhookDeliveriesTable).values(rows).onConflictDoNothing()
    },
    /**
     * Takes up to `limit` due deliveries of enabled endpoints, skipping rows another instance
     * holds, and leases them until `leaseUntil` (counted as an attempt): if this instance dies
     * before recording the outcome, they come due again then.
     */
    async claimDue(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedDelivery[]> {
      const rows = await db
        .select({ delivery: webhookDeliveriesTable, endpoint: webhookEndpointsTable })
        .from(webhookDeliveriesTable)
        .innerJoin(webhookEndpointsTable, eq(webhookEndpointsTable.id, webhookDeliveriesTable.endpointId))
        .where(
          and(
            eq(webhookDeliveriesTable.status, 'pending'),
            lte(webhookDeliveriesTable.nextAttemptAt, now),
            isNull(webhookEndpointsTable.disabledAt),
          ),
        )
        .orderBy(asc(webhookDeliveriesTable.nextAttemptAt))
        .limit(limit)
        .for('update', { of: webhookDeliveriesTable, skipLocked: true })
      if (rows.length === 0) return []
      const updated = await db
        .update(webhookDeliveriesTable)
        .set({ attempts: sql`${webhookDeliveriesTable.attempts} + 1`, nextAttemptAt: leaseUntil })
        .where(
          inArray(
            webhookDeliveriesTable.id,
            rows.map((r) => r.delivery.id),
          ),
        )
        .returning()
      const byId = new Map(updated.map((row) => [row.id, row]))
      return rows.map(({ delivery, endpoint }) => ({
        delivery: byId.get(delivery.id)!,
        endpoint: { id: endpoint.id, url: endpoint.url, secret: endpoint.secret, ownerId: endpoint.ownerId },
      }))
    },
    async findDelivery(endpointId: string, id: string, options: { lock?: boolean } = {}): Promise<DeliveryRow | null> {
      const query = db
        .select()
        .from(webhookDeliveriesTable)
        .where(and(eq(webhookDeliveriesTable.id, id), eq(webhookDeliveriesTable.endpointId, endpointId)))
        .limit(1)
      const [row] = options.lock ? await query.for('no key update') : await query
      return row ?? null
    },
    async updateDelivery(id: string, changes: Partial<NewDeliveryRow>): Promise<DeliveryRow> {
      const [row] = await db
        .update(webhookDeliveriesTable)
        .set(changes)
        .where(eq(webhookDeliveriesTable.id, id))
        .returning()
      return row!
    },
    async insertAttempt(row: typeof webhookAttemptsTable.$inferInsert): Promise<void> {
      await db.insert(webhookAttemptsTable).values(row)
    },
    async attemptsOf(deliveryId: string): Promise<AttemptRow[]> {
      return db
        .select()
        .from(webhookAttemptsTable)
        .where(eq(webhookAttemptsTable.deliveryId, deliveryId))
        .orderBy(asc(webhookAttemptsTable.attempt), asc(webhookAttemptsTable.at))
    },
    /** Newest first, `limit + 1` rows (the extra one says there is a next page). */
    async listDeliveries(input: {
      endpointId: string
      status?: DeliveryStatus
      after: TimeIdCursor | null
      limit: number
    }): Promise<DeliveryRow[]> {
      const { endpointId, status, after, limit } = input
      return db
        .select()
        .from(webhookDeliveriesTable)
        .where(
          and(
            eq(webhookDeliveriesTable.endpointId, endpointId),
            status ? eq(webhookDeliveriesTable.status, status) : undefined,
            after
              ? sql`(${webhookDeliveriesTable.createdAt}, ${webhookDeliveriesTable.id}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(webhookDeliveriesTable.createdAt), desc(webhookDeliveriesTable.id))
        .limit(limit + 1)
    },
  }
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>
