import { asc, eq, gt, inArray, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { contractsTable, invoiceCountersTable, invoicesTable, usersTable } from '../../../db/schema/index.js'

export type InvoiceRow = typeof invoicesTable.$inferSelect
export type NewInvoiceRow = typeof invoicesTable.$inferInsert

export const INVOICE_SEQUENCE = 'invoice'

export function createInvoicesRepository(db: Executor) {
  return {
    /**
     * The next number of the instance's one sequence. The upsert locks the counter row until
     * the transaction ends, so numbers are handed out one at a time and a rolled-back
     * invoice gives its number back: no gaps, no reuse.
     */
    async nextNumber(): Promise<number> {
      const [row] = await db
        .insert(invoiceCountersTable)
        .values({ scope: INVOICE_SEQUENCE, lastNumber: 1 })
        .onConflictDoUpdate({
          target: invoiceCountersTable.scope,
          set: { lastNumber: sql`${invoiceCountersTable.lastNumber} + 1` },
        })
        .returning({ lastNumber: invoiceCountersTable.lastNumber })
      return row!.lastNumber
    },
    async insert(row: NewInvoiceRow): Promise<InvoiceRow | null> {
      const [inserted] = await db
        .insert(invoicesTable)
        .values(row)
        .onConflictDoNothing({ target: invoicesTable.source })
        .returning()
      return inserted ?? null
    },
    async bySource(source: string): Promise<InvoiceRow | null> {
      const [row] = await db.select().from(invoicesTable).where(eq(invoicesTable.source, source))
      return row ?? null
    },
    async find(id: string): Promise<InvoiceRow | null> {
      const [row] = await db.select().from(invoicesTable).where(eq(invoicesTable.id, id))
      return row ?? null
    },
    /** The invoices of these ids that exist, in no particular order. */
    async findMany(ids: string[]): Promise<InvoiceRow[]> {
      if (ids.length === 0) return []
      return db.select().from(invoicesTable).where(inArray(invoicesTable.id, ids))
    },
    async lock(id: string): Promise<InvoiceRow | null> {
      const [row] = await db.select().from(invoicesTable).where(eq(invoicesTable.id, id)).for('no key update')
      return row ?? null
    },
    async update(id: string, changes: Partial<InvoiceRow>): Promise<InvoiceRow> {
      const [row] = await db.update(invoicesTable).set(changes).where(eq(invoicesTable.id, id)).returning()
      return row!
    },
    async correctionOf(id: string): Promise<InvoiceRow | null> {
      const [row] = await db.select().from(invoicesTable).where(eq(invoicesTable.correctsInvoiceId, id))
      return row ?? null
    },
    async contract(contractId: string) {
      const [row] = await db.select().from(contractsTable).where(eq(contractsTable.id, contractId))
      return row ?? null
    },
    async names(ids: string[]): Promise<Map<string, string>> {
      const rows = await db
        .select({ id: usersTable.id, name: usersTable.name })
        .from(usersTable)
        .where(or(...ids.map((id) => eq(usersTable.id, id))))
      return new Map(rows.map((r) => [r.id, r.name]))
    },
    /** Every numbered invoice in number order (tests check the sequence has no gaps). */
    async numbersAfter(number: number, limit: number): Promise<number[]> {
      const rows = await db
        .select({ number: invoicesTable.number })
        .from(invoicesTable)
        .where(gt(invoicesTable.number, number))
        .orderBy(asc(invoicesTable.number))
        .limit(limit)
      return rows.map((r) => r.number!)
    },
  }
}
