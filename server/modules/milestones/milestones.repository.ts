import { and, asc, desc, eq, gt, inArray, isNull, ne, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import {
  contractsTable,
  disputesTable,
  filesTable,
  milestoneSubmissionsTable,
  milestonesTable,
} from '../../../db/schema/index.js'

export type MilestoneRow = typeof milestonesTable.$inferSelect
export type SubmissionRow = typeof milestoneSubmissionsTable.$inferSelect
export type ContractRow = typeof contractsTable.$inferSelect
export type LiveDisputeRow = Pick<typeof disputesTable.$inferSelect, 'id' | 'milestoneId' | 'state' | 'responseDueAt'>

export function createMilestonesRepository(db: Executor) {
  return {
    async contract(id: string): Promise<ContractRow | null> {
      const [row] = await db.select().from(contractsTable).where(eq(contractsTable.id, id))
      return row ?? null
    },
    /**
     * A shared lock on the contract: money use cases take it first, so a terms version
     * binding (which locks the contract FOR UPDATE, then the workroom, then the milestones)
     * never meets one of them in a lock cycle.
     */
    async shareContract(id: string): Promise<ContractRow | null> {
      const [row] = await db.select().from(contractsTable).where(eq(contractsTable.id, id)).for('share')
      return row ?? null
    },
    /**
     * The contract locked for an update: money steps on an `ending` contract take it, so the
     * step that empties the last hold sees every other step committed and ends the contract.
     */
    async lockContract(id: string): Promise<ContractRow | null> {
      const [row] = await db.select().from(contractsTable).where(eq(contractsTable.id, id)).for('no key update')
      return row ?? null
    },
    /** Milestones of the contract with money still in escrow. */
    async countHolding(contractId: string): Promise<number> {
      const held = sql`${milestonesTable.fundedAmount} - ${milestonesTable.releasedAmount} - ${milestonesTable.refundedAmount}`
      const [row] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(milestonesTable)
        .where(and(eq(milestonesTable.contractId, contractId), gt(held, sql`0`)))
      return Number(row?.count ?? 0)
    },
    /** The unresolved dispute of each of these milestones (at most one each). */
    async liveDisputesOf(milestoneIds: string[]): Promise<LiveDisputeRow[]> {
      if (milestoneIds.length === 0) return []
      return db
        .select({
          id: disputesTable.id,
          milestoneId: disputesTable.milestoneId,
          state: disputesTable.state,
          responseDueAt: disputesTable.responseDueAt,
        })
        .from(disputesTable)
        .where(and(inArray(disputesTable.milestoneId, milestoneIds), ne(disputesTable.state, 'resolved')))
    },
    async find(id: string): Promise<MilestoneRow | null> {
      const [row] = await db.select().from(milestonesTable).where(eq(milestonesTable.id, id))
      return row ?? null
    },
    /** The milestone's contract and that contract's state, read without a lock (`lockFor` locks them next). */
    async peek(id: string): Promise<{ contractId: string; contractState: ContractRow['state'] } | null> {
      const [row] = await db
        .select({ contractId: milestonesTable.contractId, contractState: contractsTable.state })
        .from(milestonesTable)
        .innerJoin(contractsTable, eq(contractsTable.id, milestonesTable.contractId))
        .where(eq(milestonesTable.id, id))
      return row ?? null
    },
    async lock(id: string): Promise<MilestoneRow | null> {
      const [row] = await db.select().from(milestonesTable).where(eq(milestonesTable.id, id)).for('no key update')
      return row ?? null
    },
    async ofContract(contractId: string, forUpdate = false): Promise<MilestoneRow[]> {
      const query = db
        .select()
        .from(milestonesTable)
        .where(eq(milestonesTable.contractId, contractId))
        .orderBy(asc(milestonesTable.position))
      return forUpdate ? query.for('no key update') : query
    },
    async insert(rows: Array<typeof milestonesTable.$inferInsert>): Promise<void> {
      if (rows.length) await db.insert(milestonesTable).values(rows)
    },
    async update(id: string, changes: Partial<MilestoneRow>): Promise<MilestoneRow> {
      const [row] = await db.update(milestonesTable).set(changes).where(eq(milestonesTable.id, id)).returning()
      return row!
    },
    async insertSubmission(row: typeof milestoneSubmissionsTable.$inferInsert): Promise<SubmissionRow> {
      const [inserted] = await db.insert(milestoneSubmissionsTable).values(row).returning()
      return inserted!
    },
    async findSubmission(id: string): Promise<SubmissionRow | null> {
      const [row] = await db.select().from(milestoneSubmissionsTable).where(eq(milestoneSubmissionsTable.id, id))
      return row ?? null
    },
    async latestSubmission(milestoneId: string): Promise<SubmissionRow | null> {
      const [row] = await db
        .select()
        .from(milestoneSubmissionsTable)
        .where(eq(milestoneSubmissionsTable.milestoneId, milestoneId))
        .orderBy(desc(milestoneSubmissionsTable.seq))
        .limit(1)
      return row ?? null
    },
    /** Records the client's answer on the submission still awaiting one. */
    async reviewOpenSubmission(
      milestoneId: string,
      review: Pick<SubmissionRow, 'outcome' | 'reviewMessage' | 'reviewedBy' | 'reviewedAt'>,
    ): Promise<void> {
      await db
        .update(milestoneSubmissionsTable)
        .set(review)
        .where(and(eq(milestoneSubmissionsTable.milestoneId, milestoneId), isNull(milestoneSubmissionsTable.outcome)))
    },
    async submissionsOf(milestoneIds: string[]): Promise<SubmissionRow[]> {
      if (milestoneIds.length === 0) return []
      return db
        .select()
        .from(milestoneSubmissionsTable)
        .where(inArray(milestoneSubmissionsTable.milestoneId, milestoneIds))
        .orderBy(asc(milestoneSubmissionsTable.seq))
    },
    /** How many of these files are in the workroom, not deleted, and visible to the contract's freelancer and client. */
    async countSharedFiles(input: { workroomId: string; freelancerId: string; fileIds: string[] }): Promise<number> {
      if (input.fileIds.length === 0) return 0
      const rows = await db
        .select({ id: filesTable.id })
        .from(filesTable)
        .where(
          and(
            inArray(filesTable.id, input.fileIds),
            eq(filesTable.workroomId, input.workroomId),
            isNull(filesTable.deletedAt),
            or(eq(filesTable.scope, 'workroom'), eq(filesTable.scopeFreelancerId, input.freelancerId)),
          ),
        )
      return rows.length
    },
  }
}

export type MilestonesRepository = ReturnType<typeof createMilestonesRepository>
