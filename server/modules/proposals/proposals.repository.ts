import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { contractsTable, filesTable, jobsTable, proposalsTable, usersTable } from '../../../db/schema/index.js'

export type ProposalRow = typeof proposalsTable.$inferSelect
export type NewProposalRow = typeof proposalsTable.$inferInsert
export type ProposalChanges = Partial<
  Omit<NewProposalRow, 'id' | 'jobId' | 'workroomId' | 'freelancerId' | 'threadId' | 'createdAt'>
>
/** A proposal with what every view shows next to it. */
export type ProposalView = ProposalRow & { freelancerName: string; jobTitle: string; contractId: string | null }

/** States in which a proposal counts as the freelancer's one live proposal on a job. */
export const LIVE_PROPOSAL_STATES = ['submitted', 'shortlisted', 'hired'] as const

const viewColumns = {
  proposal: proposalsTable,
  freelancerName: usersTable.name,
  jobTitle: jobsTable.title,
  contractId: contractsTable.id,
}

export function createProposalsRepository(db: Executor) {
  const views = () =>
    db
      .select(viewColumns)
      .from(proposalsTable)
      .innerJoin(usersTable, eq(usersTable.id, proposalsTable.freelancerId))
      .innerJoin(jobsTable, eq(jobsTable.id, proposalsTable.jobId))
      .leftJoin(contractsTable, eq(contractsTable.proposalId, proposalsTable.id))
  const flatten = (
    rows: Array<{ proposal: ProposalRow; freelancerName: string; jobTitle: string; contractId: string | null }>,
  ): ProposalView[] => rows.map(({ proposal, ...rest }) => ({ ...proposal, ...rest }))

  return {
    async insert(row: NewProposalRow): Promise<ProposalRow> {
      const [proposal] = await db.insert(proposalsTable).values(row).returning()
      return proposal!
    },
    async findView(id: string): Promise<ProposalView | null> {
      return flatten(await views().where(eq(proposalsTable.id, id)).limit(1))[0] ?? null
    },
    /** The proposal, locked until the transaction ends (state changes serialize on it). */
    async lock(id: string): Promise<ProposalRow | null> {
      const [proposal] = await db
        .select()
        .from(proposalsTable)
        .where(eq(proposalsTable.id, id))
        .for('no key update')
        .limit(1)
      return proposal ?? null
    },
    async update(id: string, changes: ProposalChanges): Promise<void> {
      await db.update(proposalsTable).set(changes).where(eq(proposalsTable.id, id))
    },
    async findLive(jobId: string, freelancerId: string): Promise<ProposalRow | null> {
      const [proposal] = await db
        .select()
        .from(proposalsTable)
        .where(
          and(
            eq(proposalsTable.jobId, jobId),
            eq(proposalsTable.freelancerId, freelancerId),
            inArray(proposalsTable.state, [...LIVE_PROPOSAL_STATES]),
          ),
        )
        .limit(1)
      return proposal ?? null
    },
    /** Newest first; `freelancerId` narrows a job's list to one bidder, `jobId` a freelancer's list to one job. */
    async list(input: {
      jobId?: string
      freelancerId?: string
      state?: string
      after: { at: Date; id: string } | null
      limit: number
    }): Promise<ProposalView[]> {
      const after = input.after
        ? sql`(${proposalsTable.createdAt}, ${proposalsTable.id}) < (${input.after.at.toISOString()}::timestamptz, ${input.after.id}::uuid)`
        : undefined
      const rows = await views()
        .where(
          and(
            input.jobId ? eq(proposalsTable.jobId, input.jobId) : undefined,
            input.freelancerId ? eq(proposalsTable.freelancerId, input.freelancerId) : undefined,
            input.state ? eq(proposalsTable.state, input.state) : undefined,
            after,
          ),
        )
        .orderBy(desc(proposalsTable.createdAt), desc(proposalsTable.id))
        .limit(input.limit)
      return flatten(rows)
    },
    /** How many of these files exist, undeleted, in the workroom and visible to the freelancer. */
    async countAttachable(input: { fileIds: string[]; workroomId: string; freelancerId: string }): Promise<number> {
      if (input.fileIds.length === 0) return 0
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(filesTable)
        .where(
          and(
            inArray(filesTable.id, input.fileIds),
            eq(filesTable.workroomId, input.workroomId),
            isNull(filesTable.deletedAt),
            or(eq(filesTable.scope, 'workroom'), eq(filesTable.scopeFreelancerId, input.freelancerId)),
          ),
        )
      return row?.n ?? 0
    },
  }
}

export type ProposalsRepository = ReturnType<typeof createProposalsRepository>
