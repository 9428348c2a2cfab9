import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm'
import { arrayText, queryRows, type Executor } from '../../../db/client.js'
import { activityEntriesTable, contractsTable, workroomsTable } from '../../../db/schema/index.js'

export type ActivityRow = typeof activityEntriesTable.$inferSelect

export function createActivityRepository(db: Executor) {
  return {
    /**
     * Locks the workrooms' rows so appends to one chain run one at a time, in id order (every
     * caller locks in this order, so appends to several workrooms cannot deadlock each other);
     * answers those that exist. NO KEY UPDATE, not UPDATE: the transactions that append have
     * usually just inserted rows referencing the workroom (their foreign-key checks hold KEY
     * SHARE on it), and FOR UPDATE would conflict with each other's KEY SHARE and deadlock two
     * concurrent appends.
     */
    async lockWorkrooms(workroomIds: readonly string[]): Promise<Set<string>> {
      const rows = await db
        .select({ id: workroomsTable.id })
        .from(workroomsTable)
        .where(inArray(workroomsTable.id, [...workroomIds]))
        .orderBy(workroomsTable.id)
        .for('no key update')
      return new Set(rows.map((row) => row.id))
    },
    /** Each workroom's last entry (the head of its chain), one index probe each; absent: no entry yet. */
    async heads(workroomIds: readonly string[]): Promise<Map<string, Pick<ActivityRow, 'seq' | 'hash'>>> {
      // A text literal for the array, which both drivers bind alike (UUIDs only).
      const rows = await queryRows<{ workroom_id: string; seq: number | string; hash: string }>(
        db,
        sql`select w.id as workroom_id, e.seq, e.hash from unnest(${arrayText(workroomIds)}::uuid[]) as w(id)
          join lateral (select seq, hash from ${activityEntriesTable} where workroom_id = w.id order by seq desc limit 1) e on true`,
      )
      return new Map(rows.map((row) => [row.workroom_id, { seq: Number(row.seq), hash: row.hash }]))
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
