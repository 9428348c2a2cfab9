import { and, asc, desc, eq } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { contractsTable, disputeMessagesTable, disputesTable, usersTable } from '../../../db/schema/index.js'
import { olderThan, type TimeIdCursor } from '../../http/page-cursor.js'

export type DisputeRow = typeof disputesTable.$inferSelect
export type DisputeMessageRow = typeof disputeMessagesTable.$inferSelect
/** A dispute with its contract's currency, as the API shows it. */
export type DisputeView = DisputeRow & { currency: string }

export function createDisputesRepository(db: Executor) {
  return {
    async find(id: string): Promise<DisputeRow | null> {
      const [row] = await db.select().from(disputesTable).where(eq(disputesTable.id, id))
      return row ?? null
    },
    async lock(id: string): Promise<DisputeRow | null> {
      const [row] = await db.select().from(disputesTable).where(eq(disputesTable.id, id)).for('no key update')
      return row ?? null
    },
    async insert(row: typeof disputesTable.$inferInsert): Promise<DisputeRow> {
      const [inserted] = await db.insert(disputesTable).values(row).returning()
      return inserted!
    },
    async update(id: string, changes: Partial<DisputeRow>): Promise<DisputeRow> {
      const [row] = await db.update(disputesTable).set(changes).where(eq(disputesTable.id, id)).returning()
      return row!
    },
    async addMessage(row: typeof disputeMessagesTable.$inferInsert): Promise<void> {
      await db.insert(disputeMessagesTable).values(row)
    },
    async messages(disputeId: string): Promise<DisputeMessageRow[]> {
      return db
        .select()
        .from(disputeMessagesTable)
        .where(eq(disputeMessagesTable.disputeId, disputeId))
        .orderBy(asc(disputeMessagesTable.seq))
    },
    async ofMilestone(milestoneId: string): Promise<DisputeRow[]> {
      return db
        .select()
        .from(disputesTable)
        .where(eq(disputesTable.milestoneId, milestoneId))
        .orderBy(desc(disputesTable.createdAt))
    },
    async page(input: { state?: string; after?: TimeIdCursor; limit: number }): Promise<DisputeView[]> {
      const t = disputesTable
      const rows = await db
        .select({ dispute: t, currency: contractsTable.currency })
        .from(t)
        .innerJoin(contractsTable, eq(contractsTable.id, t.contractId))
        .where(and(input.state ? eq(t.state, input.state) : undefined, olderThan(t.createdAt, t.id, input.after)))
        .orderBy(desc(t.createdAt), desc(t.id))
        .limit(input.limit)
      return rows.map((row) => ({ ...row.dispute, currency: row.currency }))
    },
    /** Everyone who decides escalated disputes. */
    async operatorIds(): Promise<string[]> {
      const rows = await db.select({ id: usersTable.id }).from(usersTable).where(eq(usersTable.role, 'operator'))
      return rows.map((row) => row.id)
    },
  }
}
