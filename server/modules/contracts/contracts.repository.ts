import { and, desc, eq, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { contractsTable, jobsTable, threadsTable } from '../../../db/schema/index.js'

export type ContractRow = typeof contractsTable.$inferSelect
export type NewContractRow = typeof contractsTable.$inferInsert
export type ContractChanges = Partial<
  Omit<NewContractRow, 'id' | 'jobId' | 'workroomId' | 'proposalId' | 'clientId' | 'freelancerId'>
>
export type ContractView = ContractRow & { jobTitle: string; threadId: string | null }

export function createContractsRepository(db: Executor) {
  const views = () =>
    db
      .select({ contract: contractsTable, jobTitle: jobsTable.title, threadId: threadsTable.id })
      .from(contractsTable)
      .innerJoin(jobsTable, eq(jobsTable.id, contractsTable.jobId))
      .leftJoin(
        threadsTable,
        and(
          eq(threadsTable.workroomId, contractsTable.workroomId),
          eq(threadsTable.freelancerId, contractsTable.freelancerId),
        ),
      )
  const flatten = (rows: Array<{ contract: ContractRow; jobTitle: string; threadId: string | null }>): ContractView[] =>
    rows.map(({ contract, ...rest }) => ({ ...contract, ...rest }))

  return {
    async insert(row: NewContractRow): Promise<ContractRow> {
      const [contract] = await db.insert(contractsTable).values(row).returning()
      return contract!
    },
    async findById(id: string): Promise<ContractRow | null> {
      const [contract] = await db.select().from(contractsTable).where(eq(contractsTable.id, id)).limit(1)
      return contract ?? null
    },
    async findView(id: string): Promise<ContractView | null> {
      return flatten(await views().where(eq(contractsTable.id, id)).limit(1))[0] ?? null
    },
    async lock(id: string): Promise<ContractRow | null> {
      const [contract] = await db
        .select()
        .from(contractsTable)
        .where(eq(contractsTable.id, id))
        .for('no key update')
        .limit(1)
      return contract ?? null
    },
    async update(id: string, changes: ContractChanges): Promise<ContractRow> {
      const [contract] = await db.update(contractsTable).set(changes).where(eq(contractsTable.id, id)).returning()
      return contract!
    },
    /** Newest offer first. `partyId` with `role` narrows to one side; `workroomId`/`freelancerId` to one workroom or bidder. */
    async list(input: {
      partyId?: string
      role?: 'client' | 'freelancer'
      workroomId?: string
      freelancerId?: string
      state?: string
      after: { at: Date; id: string } | null
      limit: number
    }): Promise<ContractView[]> {
      const party = input.partyId
        ? input.role === 'client'
          ? eq(contractsTable.clientId, input.partyId)
          : input.role === 'freelancer'
            ? eq(contractsTable.freelancerId, input.partyId)
            : or(eq(contractsTable.clientId, input.partyId), eq(contractsTable.freelancerId, input.partyId))
        : undefined
      const after = input.after
        ? sql`(${contractsTable.offeredAt}, ${contractsTable.id}) < (${input.after.at.toISOString()}::timestamptz, ${input.after.id}::uuid)`
        : undefined
      const rows = await views()
        .where(
          and(
            party,
            input.workroomId ? eq(contractsTable.workroomId, input.workroomId) : undefined,
            input.freelancerId ? eq(contractsTable.freelancerId, input.freelancerId) : undefined,
            input.state ? eq(contractsTable.state, input.state) : undefined,
            after,
          ),
        )
        .orderBy(desc(contractsTable.offeredAt), desc(contractsTable.id))
        .limit(input.limit)
      return flatten(rows)
    },
  }
}

export type ContractsRepository = ReturnType<typeof createContractsRepository>
