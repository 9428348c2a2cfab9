import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import { queryRows, type Executor } from '../../../db/client.js'
import { depositsTable, usersTable, withdrawalsTable } from '../../../db/schema/index.js'
import { olderThan, type TimeIdCursor } from '../../http/page-cursor.js'

export type DepositRow = typeof depositsTable.$inferSelect
export type WithdrawalRow = typeof withdrawalsTable.$inferSelect

export interface MoneyRequestPage {
  state?: string
  userId?: string
  after?: TimeIdCursor
  limit: number
}

// Deposits and withdrawals page the same way: one query for both tables.
function pageOf(db: Executor, t: typeof depositsTable, input: MoneyRequestPage): Promise<DepositRow[]>
function pageOf(db: Executor, t: typeof withdrawalsTable, input: MoneyRequestPage): Promise<WithdrawalRow[]>
function pageOf(
  db: Executor,
  t: typeof depositsTable | typeof withdrawalsTable,
  input: MoneyRequestPage,
): Promise<Array<DepositRow | WithdrawalRow>> {
  return db
    .select()
    .from(t)
    .where(
      and(
        input.state ? eq(t.state, input.state) : undefined,
        input.userId ? eq(t.userId, input.userId) : undefined,
        olderThan(t.createdAt, t.id, input.after),
      ),
    )
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(input.limit)
}

function escrowOf(
  db: Executor,
  party: 'client_id' | 'freelancer_id',
  userId: string,
): Promise<Array<{ currency: string; total: unknown }>> {
  return queryRows(
    db,
    sql`select a.currency, sum(a.balance) as total
        from milestones m
        join contracts c on c.id = m.contract_id
        join ledger_accounts a on a.id = m.hold_account_id
        where ${sql.raw(`c.${party}`)} = ${userId}
        group by a.currency`,
  )
}

export function createPaymentsRepository(db: Executor) {
  return {
    async insertDeposit(row: typeof depositsTable.$inferInsert): Promise<DepositRow> {
      const [inserted] = await db.insert(depositsTable).values(row).returning()
      return inserted!
    },
    async lockDeposit(id: string): Promise<DepositRow | null> {
      const [row] = await db.select().from(depositsTable).where(eq(depositsTable.id, id)).for('no key update')
      return row ?? null
    },
    async updateDeposit(id: string, changes: Partial<DepositRow>): Promise<DepositRow> {
      const [row] = await db.update(depositsTable).set(changes).where(eq(depositsTable.id, id)).returning()
      return row!
    },
    async insertWithdrawal(row: typeof withdrawalsTable.$inferInsert): Promise<WithdrawalRow> {
      const [inserted] = await db.insert(withdrawalsTable).values(row).returning()
      return inserted!
    },
    async lockWithdrawal(id: string): Promise<WithdrawalRow | null> {
      const [row] = await db.select().from(withdrawalsTable).where(eq(withdrawalsTable.id, id)).for('no key update')
      return row ?? null
    },
    async updateWithdrawal(id: string, changes: Partial<WithdrawalRow>): Promise<WithdrawalRow> {
      const [row] = await db.update(withdrawalsTable).set(changes).where(eq(withdrawalsTable.id, id)).returning()
      return row!
    },
    async pendingOf(userId: string): Promise<{ deposits: DepositRow[]; withdrawals: WithdrawalRow[] }> {
      const deposits = await db
        .select()
        .from(depositsTable)
        .where(and(eq(depositsTable.userId, userId), eq(depositsTable.state, 'pending')))
        .orderBy(desc(depositsTable.createdAt))
        .limit(100)
      const withdrawals = await db
        .select()
        .from(withdrawalsTable)
        .where(and(eq(withdrawalsTable.userId, userId), eq(withdrawalsTable.state, 'pending')))
        .orderBy(desc(withdrawalsTable.createdAt))
        .limit(100)
      return { deposits, withdrawals }
    },
    /** The name and email of each account asking (the operators' lists), by id. */
    async requesters(userIds: string[]): Promise<Map<string, { id: string; name: string; email: string }>> {
      const ids = [...new Set(userIds)]
      if (ids.length === 0) return new Map()
      const rows = await db
        .select({ id: usersTable.id, name: usersTable.name, email: usersTable.email })
        .from(usersTable)
        .where(inArray(usersTable.id, ids))
      return new Map(rows.map((row) => [row.id, row]))
    },
    /** Newest first, optionally one user's and in one state. */
    pageDeposits: (input: MoneyRequestPage): Promise<DepositRow[]> => pageOf(db, depositsTable, input),
    pageWithdrawals: (input: MoneyRequestPage): Promise<WithdrawalRow[]> => pageOf(db, withdrawalsTable, input),
    /** Money the user has in escrow as a client: the holds of their contracts' milestones, per currency. */
    async escrowOfClient(userId: string): Promise<Array<{ currency: string; total: unknown }>> {
      return escrowOf(db, 'client_id', userId)
    },
    /** Money held in escrow for the user as a freelancer: funded milestones of their contracts, per currency. */
    async escrowForFreelancer(userId: string): Promise<Array<{ currency: string; total: unknown }>> {
      return escrowOf(db, 'freelancer_id', userId)
    },
  }
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>
