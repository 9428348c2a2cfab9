import { and, asc, desc, eq } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { contractsTable, termsMilestonesTable, termsVersionsTable } from '../../../db/schema/index.js'

export type TermsVersionRow = typeof termsVersionsTable.$inferSelect
export type ContractRow = typeof contractsTable.$inferSelect

export function createTermsRepository(db: Executor) {
  return {
    async contract(id: string): Promise<ContractRow | null> {
      const [row] = await db.select().from(contractsTable).where(eq(contractsTable.id, id))
      return row ?? null
    },
    /** Locks the contract so versions are numbered and accepted one at a time. */
    async lockContract(id: string): Promise<ContractRow | null> {
      const [row] = await db.select().from(contractsTable).where(eq(contractsTable.id, id)).for('no key update')
      return row ?? null
    },
    async latest(contractId: string): Promise<TermsVersionRow | null> {
      const [row] = await db
        .select()
        .from(termsVersionsTable)
        .where(eq(termsVersionsTable.contractId, contractId))
        .orderBy(desc(termsVersionsTable.version))
        .limit(1)
      return row ?? null
    },
    async version(contractId: string, version: number): Promise<TermsVersionRow | null> {
      const [row] = await db
        .select()
        .from(termsVersionsTable)
        .where(and(eq(termsVersionsTable.contractId, contractId), eq(termsVersionsTable.version, version)))
      return row ?? null
    },
    async list(contractId: string): Promise<TermsVersionRow[]> {
      return db
        .select()
        .from(termsVersionsTable)
        .where(eq(termsVersionsTable.contractId, contractId))
        .orderBy(asc(termsVersionsTable.version))
    },
    async insert(row: typeof termsVersionsTable.$inferInsert): Promise<TermsVersionRow> {
      const [inserted] = await db.insert(termsVersionsTable).values(row).returning()
      return inserted!
    },
    async markAccepted(
      contractId: string,
      version: number,
      changes: Pick<Partial<TermsVersionRow>, 'clientAcceptedAt' | 'freelancerAcceptedAt' | 'boundAt'>,
    ) {
      await db
        .update(termsVersionsTable)
        .set(changes)
        .where(and(eq(termsVersionsTable.contractId, contractId), eq(termsVersionsTable.version, version)))
    },
    async insertMilestones(rows: Array<typeof termsMilestonesTable.$inferInsert>) {
      if (rows.length > 0) await db.insert(termsMilestonesTable).values(rows)
    },
    async milestones(contractId: string, version: number) {
      return db
        .select()
        .from(termsMilestonesTable)
        .where(and(eq(termsMilestonesTable.contractId, contractId), eq(termsMilestonesTable.version, version)))
        .orderBy(asc(termsMilestonesTable.position))
    },
    async mirrorOnContract(
      contractId: string,
      values: Pick<
        ContractRow,
        'boundTermsVersion' | 'price' | 'hourlyRate' | 'weeklyLimitMinutes' | 'manualTimeAllowed' | 'updatedAt'
      >,
    ) {
      await db.update(contractsTable).set(values).where(eq(contractsTable.id, contractId))
    },
  }
}
