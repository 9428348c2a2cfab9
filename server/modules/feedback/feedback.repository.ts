import { asc, eq } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { feedbackTable, feedbackWindowsTable } from '../../../db/schema/index.js'

export type FeedbackRow = typeof feedbackTable.$inferSelect
export type NewFeedbackRow = typeof feedbackTable.$inferInsert
export type FeedbackWindowRow = typeof feedbackWindowsTable.$inferSelect

export function createFeedbackRepository(db: Executor) {
  return {
    /** Creates the window unless it exists (the contract-ended hook and a late first submission may both try). */
    async ensureWindow(row: FeedbackWindowRow): Promise<boolean> {
      const inserted = await db
        .insert(feedbackWindowsTable)
        .values(row)
        .onConflictDoNothing()
        .returning({ contractId: feedbackWindowsTable.contractId })
      return inserted.length > 0
    },
    async findWindow(contractId: string): Promise<FeedbackWindowRow | null> {
      const [row] = await db
        .select()
        .from(feedbackWindowsTable)
        .where(eq(feedbackWindowsTable.contractId, contractId))
        .limit(1)
      return row ?? null
    },
    /** The window, locked: the two parties' submissions and the closing deadline take turns on it. */
    async lockWindow(contractId: string): Promise<FeedbackWindowRow | null> {
      const [row] = await db
        .select()
        .from(feedbackWindowsTable)
        .where(eq(feedbackWindowsTable.contractId, contractId))
        .for('no key update')
        .limit(1)
      return row ?? null
    },
    async markRevealed(contractId: string, at: Date, by: 'both' | 'deadline'): Promise<FeedbackWindowRow> {
      const [row] = await db
        .update(feedbackWindowsTable)
        .set({ revealedAt: at, revealedBy: by })
        .where(eq(feedbackWindowsTable.contractId, contractId))
        .returning()
      return row!
    },
    async insert(row: NewFeedbackRow): Promise<FeedbackRow> {
      const [inserted] = await db.insert(feedbackTable).values(row).returning()
      return inserted!
    },
    async ofContract(contractId: string): Promise<FeedbackRow[]> {
      return db
        .select()
        .from(feedbackTable)
        .where(eq(feedbackTable.contractId, contractId))
        .orderBy(asc(feedbackTable.createdAt), asc(feedbackTable.id))
    },
    async find(id: string, options: { lock?: boolean } = {}): Promise<FeedbackRow | null> {
      const query = db.select().from(feedbackTable).where(eq(feedbackTable.id, id)).limit(1)
      const [row] = options.lock ? await query.for('no key update') : await query
      return row ?? null
    },
    async setReply(id: string, reply: string, at: Date): Promise<FeedbackRow> {
      const [row] = await db
        .update(feedbackTable)
        .set({ reply, repliedAt: at })
        .where(eq(feedbackTable.id, id))
        .returning()
      return row!
    },
  }
}

export type FeedbackRepository = ReturnType<typeof createFeedbackRepository>
