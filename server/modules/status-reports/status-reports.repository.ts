import { and, asc, desc, eq, inArray, isNull, like, lt } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import {
  contractsTable,
  deadlinesTable,
  statusReportCommentsTable,
  statusReportFlagsTable,
  statusReportsTable,
} from '../../../db/schema/index.js'

export type StatusReportRow = typeof statusReportsTable.$inferSelect
export type StatusReportCommentRow = typeof statusReportCommentsTable.$inferSelect

export function createStatusReportsRepository(db: Executor) {
  return {
    async contract(id: string) {
      const [row] = await db.select().from(contractsTable).where(eq(contractsTable.id, id))
      return row ?? null
    },
    async insert(row: typeof statusReportsTable.$inferInsert): Promise<StatusReportRow | null> {
      const [inserted] = await db.insert(statusReportsTable).values(row).onConflictDoNothing().returning()
      return inserted ?? null
    },
    async find(id: string): Promise<StatusReportRow | null> {
      const [row] = await db.select().from(statusReportsTable).where(eq(statusReportsTable.id, id))
      return row ?? null
    },
    async forWeek(contractId: string, weekStart: string): Promise<StatusReportRow | null> {
      const [row] = await db
        .select()
        .from(statusReportsTable)
        .where(and(eq(statusReportsTable.contractId, contractId), eq(statusReportsTable.weekStart, weekStart)))
      return row ?? null
    },
    async page(contractId: string, beforeWeek: string | null, limit: number): Promise<StatusReportRow[]> {
      return db
        .select()
        .from(statusReportsTable)
        .where(
          and(
            eq(statusReportsTable.contractId, contractId),
            beforeWeek ? lt(statusReportsTable.weekStart, beforeWeek) : undefined,
          ),
        )
        .orderBy(desc(statusReportsTable.weekStart))
        .limit(limit)
    },
    async comments(reportIds: string[]): Promise<StatusReportCommentRow[]> {
      if (reportIds.length === 0) return []
      return db
        .select()
        .from(statusReportCommentsTable)
        .where(inArray(statusReportCommentsTable.reportId, reportIds))
        .orderBy(asc(statusReportCommentsTable.createdAt), asc(statusReportCommentsTable.id))
    },
    async insertComment(row: typeof statusReportCommentsTable.$inferInsert): Promise<StatusReportCommentRow> {
      const [inserted] = await db.insert(statusReportCommentsTable).values(row).returning()
      return inserted!
    },
    async flag(contractId: string, weekStart: string, at: Date): Promise<boolean> {
      const rows = await db
        .insert(statusReportFlagsTable)
        .values({ contractId, weekStart, flaggedAt: at })
        .onConflictDoNothing()
        .returning()
      return rows.length > 0
    },
    async flags(contractId: string): Promise<Array<{ weekStart: string; flaggedAt: Date }>> {
      return db
        .select({ weekStart: statusReportFlagsTable.weekStart, flaggedAt: statusReportFlagsTable.flaggedAt })
        .from(statusReportFlagsTable)
        .where(eq(statusReportFlagsTable.contractId, contractId))
        .orderBy(desc(statusReportFlagsTable.weekStart))
        .limit(520)
    },
    /** Whether the weekly check was ever scheduled for this contract (its deadlines are `<contract>:<week>`). */
    async checkScheduled(kind: string, contractId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: deadlinesTable.id })
        .from(deadlinesTable)
        .where(and(eq(deadlinesTable.kind, kind), like(deadlinesTable.subject, `${contractId}:%`)))
        .limit(1)
      return Boolean(row)
    },
    /** The contract's next pending check: which week, and when it flags a missing report. */
    async nextCheck(kind: string, contractId: string): Promise<{ weekStart: string; dueAt: Date } | null> {
      const [row] = await db
        .select({ payload: deadlinesTable.payload, dueAt: deadlinesTable.dueAt })
        .from(deadlinesTable)
        .where(
          and(
            eq(deadlinesTable.kind, kind),
            like(deadlinesTable.subject, `${contractId}:%`),
            isNull(deadlinesTable.doneAt),
            isNull(deadlinesTable.cancelledAt),
          ),
        )
        .orderBy(asc(deadlinesTable.dueAt))
        .limit(1)
      return row ? { weekStart: (row.payload as { weekStart: string }).weekStart, dueAt: row.dueAt } : null
    },
  }
}
