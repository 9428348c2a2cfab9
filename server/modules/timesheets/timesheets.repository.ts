import { and, asc, eq } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { timesheetDisputesTable, timesheetsTable } from '../../../db/schema/index.js'

export type TimesheetRow = typeof timesheetsTable.$inferSelect
export type DisputeRow = typeof timesheetDisputesTable.$inferSelect

export function createTimesheetsRepository(db: Executor) {
  return {
    async find(id: string, opts: { lock?: boolean } = {}): Promise<TimesheetRow | null> {
      const query = db.select().from(timesheetsTable).where(eq(timesheetsTable.id, id))
      const [row] = opts.lock ? await query.for('no key update') : await query
      return row ?? null
    },
    async ofContract(contractId: string): Promise<TimesheetRow[]> {
      return db
        .select()
        .from(timesheetsTable)
        .where(eq(timesheetsTable.contractId, contractId))
        .orderBy(asc(timesheetsTable.weekStart))
    },
    async update(id: string, changes: Partial<TimesheetRow>): Promise<TimesheetRow> {
      const [row] = await db.update(timesheetsTable).set(changes).where(eq(timesheetsTable.id, id)).returning()
      return row!
    },
    async insertDispute(row: typeof timesheetDisputesTable.$inferInsert): Promise<DisputeRow> {
      const [inserted] = await db.insert(timesheetDisputesTable).values(row).returning()
      return inserted!
    },
    async findDispute(id: string, opts: { lock?: boolean } = {}): Promise<DisputeRow | null> {
      const query = db.select().from(timesheetDisputesTable).where(eq(timesheetDisputesTable.id, id))
      const [row] = opts.lock ? await query.for('no key update') : await query
      return row ?? null
    },
    async disputeOf(timesheetId: string): Promise<DisputeRow | null> {
      const [row] = await db
        .select()
        .from(timesheetDisputesTable)
        .where(and(eq(timesheetDisputesTable.timesheetId, timesheetId)))
      return row ?? null
    },
    async updateDispute(id: string, changes: Partial<DisputeRow>): Promise<DisputeRow> {
      const [row] = await db
        .update(timesheetDisputesTable)
        .set(changes)
        .where(eq(timesheetDisputesTable.id, id))
        .returning()
      return row!
    },
  }
}
