import { eq, inArray, sql } from 'drizzle-orm'
import { queryRows, type Executor } from '../../../db/client.js'
import { contractsTable, jobsTable, milestonesTable, timesheetsTable, usersTable } from '../../../db/schema/index.js'
import { alias } from 'drizzle-orm/pg-core'

/** One ledger entry on an account of the user: their wallet, earnings, withdrawal reserve, or escrow they funded. */
export interface HistoryEntryRow {
  transferId: string
  leg: number
  at: Date
  kind: string
  reference: string
  account: 'wallet' | 'earnings' | 'withdrawal_pending' | 'hold'
  amount: bigint
  currency: string
}

/** The newest-first position of an entry: its time, then its transfer and leg. */
export interface HistoryPosition {
  at: Date
  transferId: string
  leg: number
}

/** What a contract-related reference points at, for the words of a history line. */
export interface ContractContext {
  contractId: string
  clientId: string
  freelancerId: string
  clientName: string
  freelancerName: string
  jobTitle: string
  /** The milestone's title, or the timesheet's week start. */
  milestoneTitle?: string
  weekStart?: Date
}

export function createHistoryRepository(db: Executor) {
  return {
    /**
     * A page of the user's entries, newest first. The accounts are the user's own (wallet,
     * earnings, withdrawal reserve) and, as a client, the escrow holds of their contracts'
     * milestones: escrow is the client's money until it is released or refunded.
     */
    async page(input: {
      userId: string
      currency?: string
      after: HistoryPosition | null
      limit: number
    }): Promise<HistoryEntryRow[]> {
      const { userId, currency, after, limit } = input
      const rows = await queryRows<Record<string, unknown>>(
        db,
        sql`
        with mine as (
          select id, kind from ledger_accounts
          where owner_id = ${userId}::uuid and kind in ('wallet', 'earnings', 'withdrawal_pending')
          union all
          select a.id, a.kind from ledger_accounts a
          join milestones m on m.id = a.owner_id
          join contracts c on c.id = m.contract_id
          where a.kind = 'hold' and c.client_id = ${userId}::uuid
        )
        select e.transfer_id, e.leg, (extract(epoch from e.created_at) * 1000)::bigint::text as at_ms,
               t.kind, t.reference, mine.kind as account, e.amount::text as amount, e.currency
        from ledger_entries e
        join mine on mine.id = e.account_id
        join ledger_transfers t on t.id = e.transfer_id
        where true
          ${currency ? sql`and e.currency = ${currency}` : sql``}
          ${
            after
              ? sql`and (e.created_at, e.transfer_id, e.leg) < (${after.at.toISOString()}::timestamptz, ${after.transferId}::uuid, ${after.leg})`
              : sql``
          }
        order by e.created_at desc, e.transfer_id desc, e.leg desc
        limit ${limit}`,
      )
      return rows.map((row) => ({
        transferId: String(row.transfer_id),
        leg: Number(row.leg),
        at: new Date(Number(String(row.at_ms))),
        kind: String(row.kind),
        reference: String(row.reference),
        account: String(row.account) as HistoryEntryRow['account'],
        amount: BigInt(String(row.amount)),
        currency: String(row.currency),
      }))
    },

    /** The contract, parties and milestone behind `milestone:<id>` references. */
    async milestones(ids: string[]): Promise<Map<string, ContractContext>> {
      if (ids.length === 0) return new Map()
      const client = alias(usersTable, 'client')
      const freelancer = alias(usersTable, 'freelancer')
      const rows = await db
        .select({
          id: milestonesTable.id,
          title: milestonesTable.title,
          contractId: contractsTable.id,
          clientId: contractsTable.clientId,
          freelancerId: contractsTable.freelancerId,
          clientName: client.name,
          freelancerName: freelancer.name,
          jobTitle: jobsTable.title,
        })
        .from(milestonesTable)
        .innerJoin(contractsTable, eq(contractsTable.id, milestonesTable.contractId))
        .innerJoin(jobsTable, eq(jobsTable.id, contractsTable.jobId))
        .innerJoin(client, eq(client.id, contractsTable.clientId))
        .innerJoin(freelancer, eq(freelancer.id, contractsTable.freelancerId))
        .where(inArray(milestonesTable.id, ids))
      return new Map(rows.map(({ id, title, ...rest }) => [id, { ...rest, milestoneTitle: title }]))
    },

    /** The contract, parties and week behind `timesheet:<id>` references. */
    async timesheets(ids: string[]): Promise<Map<string, ContractContext>> {
      if (ids.length === 0) return new Map()
      const client = alias(usersTable, 'client')
      const freelancer = alias(usersTable, 'freelancer')
      const rows = await db
        .select({
          id: timesheetsTable.id,
          weekStart: timesheetsTable.weekStart,
          contractId: contractsTable.id,
          clientId: contractsTable.clientId,
          freelancerId: contractsTable.freelancerId,
          clientName: client.name,
          freelancerName: freelancer.name,
          jobTitle: jobsTable.title,
        })
        .from(timesheetsTable)
        .innerJoin(contractsTable, eq(contractsTable.id, timesheetsTable.contractId))
        .innerJoin(jobsTable, eq(jobsTable.id, contractsTable.jobId))
        .innerJoin(client, eq(client.id, contractsTable.clientId))
        .innerJoin(freelancer, eq(freelancer.id, contractsTable.freelancerId))
        .where(inArray(timesheetsTable.id, ids))
      return new Map(rows.map(({ id, ...rest }) => [id, rest]))
    },
  }
}
