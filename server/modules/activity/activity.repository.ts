import { and, asc, desc, eq, gt, isNull, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { activityEntriesTable, contractsTable, workroomsTable } from '../../../db/schema/index.js'

export type ActivityRow = typeof activityEntriesTable.$inferSelect

export function createActivityRepository(db: Executor) {
  return {
    /**
     * Locks the workroom row so appends to one chain run one at a time. NO KEY UPDATE, not
     * UPDATE: the transactions that append have usually just inserted rows referencing the
     * workroom (their foreign-key checks hold KEY SHARE on it), and FOR UPDATE would conflict
     * with each other's KEY SHARE and deadlock two concurrent appends.
     */
    async lockWorkroom(workroomId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: workroomsTable.id })
        .from(workroomsTable)
        .where(eq(workroomsTable.id, workroomId))
        .for('no key update')
      return Boolean(row)
    },
    async last(workroomId: string): Promise<Pick<ActivityRow, 'seq' | 'hash'> | null> {
      const [row] = await db
        .select({ seq: activityEntriesTable.seq, hash: activityEntriesTable.hash })
        .from(activityEntriesTable)
        .where(eq(activityEntriesTable.workroomId, workroomId))
        .orderBy(desc(activityEntriesTable.seq))
        .limit(1)
      return row ?? null
    },
    /** Inserts the entries in one statement; returns them in chain order. */
    async insertMany(rows: Array<typeof activityEntriesTable.$inferInsert>): Promise<ActivityRow[]> {
      const inserted = await db.insert(activityEntriesTable).values(rows).returning()
      return inserted.sort((a, b) => a.seq - b.seq)
    },
    /** Entries a viewer may see, in order: all for the client, else the shared ones and their own. */
    async page(input: {
      workroomId: string
      freelancerScope: string | null
      afterSeq: number
      limit: number
    }): Promise<ActivityRow[]> {
      const visible =
        input.freelancerScope === null
          ? undefined
          : or(
              isNull(activityEntriesTable.scopeFreelancerId),
              eq(activityEntriesTable.scopeFreelancerId, input.freelancerScope),
            )
      return db
        .select()
        .from(activityEntriesTable)
        .where(
          and(
            eq(activityEntriesTable.workroomId, input.workroomId),
            gt(activityEntriesTable.seq, input.afterSeq),
            visible,
          ),
        )
        .orderBy(asc(activityEntriesTable.seq))
        .limit(input.limit)
    },
    /** The whole chain, in order (for verification). */
    /**
     * Whether a freelancer is a party to a contract of the workroom (offered or later). Read
     * from the table, not the contracts module: activity sits below it and logs for it.
     */
    async isContractParty(workroomId: string, freelancerId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: contractsTable.id })
        .from(contractsTable)
        .where(and(eq(contractsTable.workroomId, workroomId), eq(contractsTable.freelancerId, freelancerId)))
        .limit(1)
      return Boolean(row)
    },
    async all(workroomId: string): Promise<ActivityRow[]> {
      return db
        .select()
        .from(activityEntriesTable)
        .where(eq(activityEntriesTable.workroomId, workroomId))
        .orderBy(asc(activityEntriesTable.seq))
    },
    async count(workroomId: string): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(activityEntriesTable)
        .where(eq(activityEntriesTable.workroomId, workroomId))
      return row?.n ?? 0
    },
  }
}
