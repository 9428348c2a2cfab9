import { and, asc, eq, gte, lt, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { capturePlansTable, screenshotsTable, timesheetsTable, trackerSegmentsTable } from '../../../db/schema/index.js'

export type SegmentRow = typeof trackerSegmentsTable.$inferSelect
export type TimesheetRow = typeof timesheetsTable.$inferSelect
export type CapturePlanRow = typeof capturePlansTable.$inferSelect
export type ScreenshotSummary = Pick<
  typeof screenshotsTable.$inferSelect,
  'id' | 'segmentStart' | 'capturedAt' | 'state' | 'blurred'
>

export function createTrackerRepository(db: Executor) {
  return {
    /** Inserts or replaces segments by (contract, start): re-uploads never duplicate. */
    async upsertSegments(
      rows: Array<typeof trackerSegmentsTable.$inferInsert>,
    ): Promise<Array<{ id: string; start: Date }>> {
      if (rows.length === 0) return []
      return db
        .insert(trackerSegmentsTable)
        .values(rows)
        .onConflictDoUpdate({
          target: [trackerSegmentsTable.contractId, trackerSegmentsTable.start],
          set: {
            activity: sql`excluded.activity`,
            memo: sql`excluded.memo`,
            manual: sql`excluded.manual`,
            updatedAt: sql`excluded.updated_at`,
          },
        })
        .returning({ id: trackerSegmentsTable.id, start: trackerSegmentsTable.start })
    },
    async segmentsBetween(contractId: string, from: Date, to: Date): Promise<SegmentRow[]> {
      return db
        .select()
        .from(trackerSegmentsTable)
        .where(
          and(
            eq(trackerSegmentsTable.contractId, contractId),
            gte(trackerSegmentsTable.start, from),
            lt(trackerSegmentsTable.start, to),
          ),
        )
        .orderBy(asc(trackerSegmentsTable.start))
    },
    async allSegments(contractId: string): Promise<SegmentRow[]> {
      return db
        .select()
        .from(trackerSegmentsTable)
        .where(eq(trackerSegmentsTable.contractId, contractId))
        .orderBy(asc(trackerSegmentsTable.start))
    },
    async deleteSegment(contractId: string, start: Date): Promise<boolean> {
      const deleted = await db
        .delete(trackerSegmentsTable)
        .where(and(eq(trackerSegmentsTable.contractId, contractId), eq(trackerSegmentsTable.start, start)))
        .returning({ id: trackerSegmentsTable.id })
      return deleted.length > 0
    },
    async screenshotsBetween(contractId: string, from: Date, to: Date): Promise<ScreenshotSummary[]> {
      return db
        .select({
          id: screenshotsTable.id,
          segmentStart: screenshotsTable.segmentStart,
          capturedAt: screenshotsTable.capturedAt,
          state: screenshotsTable.state,
          blurred: screenshotsTable.blurred,
        })
        .from(screenshotsTable)
        .where(
          and(
            eq(screenshotsTable.contractId, contractId),
            gte(screenshotsTable.segmentStart, from),
            lt(screenshotsTable.segmentStart, to),
          ),
        )
        .orderBy(asc(screenshotsTable.capturedAt))
    },
    /** Creates the week's timesheet (`open`) if missing; true when this call created it. */
    async ensureTimesheet(row: typeof timesheetsTable.$inferInsert): Promise<boolean> {
      const inserted = await db
        .insert(timesheetsTable)
        .values(row)
        .onConflictDoNothing({ target: [timesheetsTable.contractId, timesheetsTable.weekStart] })
        .returning({ id: timesheetsTable.id })
      return inserted.length > 0
    },
    /** The week's timesheet, row-locked: uploads and submission of one week run one at a time. */
    async lockTimesheet(contractId: string, weekStart: Date): Promise<TimesheetRow | null> {
      const [row] = await db
        .select()
        .from(timesheetsTable)
        .where(and(eq(timesheetsTable.contractId, contractId), eq(timesheetsTable.weekStart, weekStart)))
        .for('no key update')
      return row ?? null
    },
    async allTimesheets(contractId: string): Promise<TimesheetRow[]> {
      return db
        .select()
        .from(timesheetsTable)
        .where(eq(timesheetsTable.contractId, contractId))
        .orderBy(asc(timesheetsTable.weekStart))
    },
    async allScreenshots(contractId: string): Promise<ScreenshotSummary[]> {
      return db
        .select({
          id: screenshotsTable.id,
          segmentStart: screenshotsTable.segmentStart,
          capturedAt: screenshotsTable.capturedAt,
          state: screenshotsTable.state,
          blurred: screenshotsTable.blurred,
        })
        .from(screenshotsTable)
        .where(eq(screenshotsTable.contractId, contractId))
        .orderBy(asc(screenshotsTable.capturedAt))
    },
    /** Work View's capture plans: the activity and memo so far of segments not recorded yet. */
    async plansBetween(contractId: string, from: Date, to: Date): Promise<CapturePlanRow[]> {
      return db
        .select()
        .from(capturePlansTable)
        .where(
          and(
            eq(capturePlansTable.contractId, contractId),
            gte(capturePlansTable.segmentStart, from),
            lt(capturePlansTable.segmentStart, to),
          ),
        )
    },
    async findTimesheet(contractId: string, weekStart: Date): Promise<TimesheetRow | null> {
      const [row] = await db
        .select()
        .from(timesheetsTable)
        .where(and(eq(timesheetsTable.contractId, contractId), eq(timesheetsTable.weekStart, weekStart)))
      return row ?? null
    },
  }
}

export type TrackerRepository = ReturnType<typeof createTrackerRepository>
