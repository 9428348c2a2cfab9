import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import {
  capturePlansTable,
  screenshotCommentsTable,
  screenshotsTable,
  workviewSettingsTable,
  type MinuteActivity,
} from '../../../db/schema/index.js'

export type ScreenshotRow = typeof screenshotsTable.$inferSelect
export type CommentRow = typeof screenshotCommentsTable.$inferSelect
export type CapturePlanRow = typeof capturePlansTable.$inferSelect

export function createWorkviewRepository(db: Executor) {
  return {
    /** Inserts unless this capture (contract, capturedAt) is already stored; null then. */
    async insertScreenshot(row: typeof screenshotsTable.$inferInsert): Promise<ScreenshotRow | null> {
      const [inserted] = await db
        .insert(screenshotsTable)
        .values(row)
        .onConflictDoNothing({ target: [screenshotsTable.contractId, screenshotsTable.capturedAt] })
        .returning()
      return inserted ?? null
    },
    async findByCapture(contractId: string, capturedAt: Date): Promise<ScreenshotRow | null> {
      const [row] = await db
        .select()
        .from(screenshotsTable)
        .where(and(eq(screenshotsTable.contractId, contractId), eq(screenshotsTable.capturedAt, capturedAt)))
      return row ?? null
    },
    async find(id: string, opts: { lock?: boolean } = {}): Promise<ScreenshotRow | null> {
      const query = db.select().from(screenshotsTable).where(eq(screenshotsTable.id, id))
      const [row] = opts.lock ? await query.for('no key update') : await query
      return row ?? null
    },
    /** Screenshots of a segment that still count against the per-segment cap. */
    async countInSegment(contractId: string, segmentStart: Date): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(screenshotsTable)
        .where(
          and(
            eq(screenshotsTable.contractId, contractId),
            eq(screenshotsTable.segmentStart, segmentStart),
            inArray(screenshotsTable.state, ['active', 'rejected']),
          ),
        )
      return row?.n ?? 0
    },
    async update(
      id: string,
      changes: Partial<Pick<ScreenshotRow, 'state' | 'blurred' | 'size' | 'rejectReason' | 'updatedAt'>>,
    ): Promise<ScreenshotRow> {
      const [row] = await db.update(screenshotsTable).set(changes).where(eq(screenshotsTable.id, id)).returning()
      return row!
    },
    async allForContract(contractId: string): Promise<ScreenshotRow[]> {
      return db
        .select()
        .from(screenshotsTable)
        .where(eq(screenshotsTable.contractId, contractId))
        .orderBy(asc(screenshotsTable.capturedAt))
    },
    async insertComment(row: typeof screenshotCommentsTable.$inferInsert): Promise<CommentRow> {
      const [inserted] = await db.insert(screenshotCommentsTable).values(row).returning()
      return inserted!
    },
    async comments(screenshotId: string): Promise<CommentRow[]> {
      return db
        .select()
        .from(screenshotCommentsTable)
        .where(eq(screenshotCommentsTable.screenshotId, screenshotId))
        .orderBy(asc(screenshotCommentsTable.createdAt), asc(screenshotCommentsTable.id))
        .limit(500)
    },
    async screenshotsPerSegment(contractId: string): Promise<number | null> {
      const [row] = await db
        .select()
        .from(workviewSettingsTable)
        .where(eq(workviewSettingsTable.contractId, contractId))
      return row?.screenshotsPerSegment ?? null
    },
    async setScreenshotsPerSegment(contractId: string, count: number, now: Date): Promise<void> {
      await db
        .insert(workviewSettingsTable)
        .values({ contractId, screenshotsPerSegment: count, updatedAt: now })
        .onConflictDoUpdate({
          target: workviewSettingsTable.contractId,
          set: { screenshotsPerSegment: count, updatedAt: now },
        })
    },
    async findPlan(contractId: string, segmentStart: Date): Promise<CapturePlanRow | null> {
      const [row] = await db
        .select()
        .from(capturePlansTable)
        .where(and(eq(capturePlansTable.contractId, contractId), eq(capturePlansTable.segmentStart, segmentStart)))
      return row ?? null
    },
    /** The first plan of a segment stands: a second ask (or a race) gets the stored one. */
    async ensurePlan(row: typeof capturePlansTable.$inferInsert): Promise<CapturePlanRow> {
      await db.insert(capturePlansTable).values(row).onConflictDoNothing()
      return (await this.findPlan(row.contractId, row.segmentStart))!
    },
    /** The activity and memo so far, as the tracker sent them with a screenshot or a continue. */
    async recordProgress(
      contractId: string,
      segmentStart: Date,
      progress: { activity?: MinuteActivity[]; memo?: string; updatedAt: Date },
    ): Promise<CapturePlanRow | null> {
      const [row] = await db
        .update(capturePlansTable)
        .set(progress)
        .where(and(eq(capturePlansTable.contractId, contractId), eq(capturePlansTable.segmentStart, segmentStart)))
        .returning()
      return row ?? null
    },
  }
}
