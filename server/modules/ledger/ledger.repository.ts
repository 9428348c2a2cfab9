import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Executor } from '../../../db/client.js'
import {
  ledgerAccountsTable,
  ledgerEntriesTable,
  ledgerTransfersTable,
  type LedgerAccountKind,
} from '../../../db/schema/index.js'

export type LedgerAccountRow = typeof ledgerAccountsTable.$inferSelect
export type LedgerTransferRow = typeof ledgerTransfersTable.$inferSelect
export type LedgerEntryRow = typeof ledgerEntriesTable.$inferSelect

/** An account by what it is: each (kind, currency, owner) names exactly one account. */
export interface AccountRef {
  kind: LedgerAccountKind
  currency: string
  /** The user (wallet, earnings, withdrawal_pending), the milestone (hold); null for fees and world. */
  ownerId: string | null
}

export const accountKey = (ref: AccountRef): string => `${ref.kind}:${ref.currency}:${ref.ownerId ?? '-'}`

function matches(ref: AccountRef): SQL {
  const t = ledgerAccountsTable
  return and(
    eq(t.kind, ref.kind),
    eq(t.currency, ref.currency),
    ref.ownerId === null ? isNull(t.ownerId) : eq(t.ownerId, ref.ownerId),
  )!
}

export function createLedgerRepository(db: Executor) {
  return {
    async findAccounts(refs: AccountRef[]): Promise<LedgerAccountRow[]> {
      return db
        .select()
        .from(ledgerAccountsTable)
        .where(or(...refs.map(matches)))
    },
    /**
     * Locks the accounts in id order (every transfer does, so two transfers never wait on
     * each other in a cycle), but only if all of them exist: otherwise it locks nothing and
     * returns nothing, so the caller creates the missing ones before holding any account
     * lock (a transaction holding locks while it waits on another's uncommitted account
     * insert could deadlock).
     */
    async lockAccounts(refs: AccountRef[]): Promise<LedgerAccountRow[]> {
      const any = or(...refs.map(matches))
      return db
        .select()
        .from(ledgerAccountsTable)
        .where(and(any, sql`(select count(*) from ledger_accounts where ${any}) = ${refs.length}`))
        .orderBy(asc(ledgerAccountsTable.id))
        .for('no key update')
    },
    async insertAccount(row: typeof ledgerAccountsTable.$inferInsert): Promise<void> {
      await db.insert(ledgerAccountsTable).values(row).onConflictDoNothing()
    },
    /** The transfer and its entries in one statement (one round trip); the triggers do the rest. */
    async insertTransfer(
      transfer: {
        id: string
        kind: string
        currency: string
        amount: bigint
        reference: string
        actorId: string | null
        createdAt: Date
      },
      entries: Array<{ accountId: string; amount: bigint }>,
    ): Promise<void> {
      const at = transfer.createdAt.toISOString()
      const values = sql.join(
        entries.map(
          (e, i) =>
            sql`(${transfer.id}::uuid, ${i + 1}, ${e.accountId}::uuid, ${transfer.currency}, ${e.amount.toString()}::bigint, ${at}::timestamptz)`,
        ),
        sql`, `,
      )
      await db.execute(sql`
        with transfer as (
          insert into ledger_transfers (id, kind, currency, amount, reference, actor_id, created_at)
          values (${transfer.id}::uuid, ${transfer.kind}, ${transfer.currency}, ${transfer.amount.toString()}::bigint, ${transfer.reference}, ${transfer.actorId}::uuid, ${at}::timestamptz)
        )
        insert into ledger_entries (transfer_id, leg, account_id, currency, amount, created_at) values ${values}`)
    },
    async accountsOfOwners(ownerIds: string[]): Promise<LedgerAccountRow[]> {
      if (ownerIds.length === 0) return []
      return db.select().from(ledgerAccountsTable).where(inArray(ledgerAccountsTable.ownerId, ownerIds))
    },
    async entriesOfTransfer(transferId: string): Promise<LedgerEntryRow[]> {
      return db
        .select()
        .from(ledgerEntriesTable)
        .where(eq(ledgerEntriesTable.transferId, transferId))
        .orderBy(asc(ledgerEntriesTable.leg))
    },

    // Verification: everything below reads the whole ledger, for operators and tests.
    async balanceSumsByCurrency(): Promise<
      Array<{ currency: string; total: unknown; accounts: unknown; inside: unknown }>
    > {
      return queryRows(
        db,
        sql`
        select currency, sum(balance) as total, count(*) as accounts, -sum(balance) filter (where kind = 'world') as inside
        from ledger_accounts group by currency order by currency`,
      )
    },
    async entrySumsByCurrency(): Promise<Array<{ currency: string; total: unknown; entries: unknown }>> {
      return queryRows(
        db,
        sql`
        select currency, sum(amount) as total, count(*) as entries from ledger_entries group by currency order by currency`,
      )
    },
    async transferCountsByCurrency(): Promise<Array<{ currency: string; transfers: unknown }>> {
      return queryRows(db, sql`select currency, count(*) as transfers from ledger_transfers group by currency`)
    },
    async accountsOutOfBounds(
      limit: number,
    ): Promise<Array<{ id: string; kind: string; currency: string; owner_id: string | null; balance: unknown }>> {
      return queryRows(
        db,
        sql`
        select id, kind, currency, owner_id, balance from ledger_accounts
        where (kind <> 'world' and balance < 0) or balance > 9007199254740991 or balance < -9007199254740991
        order by id limit ${limit}`,
      )
    },
    async accountsNotMatchingEntries(
      limit: number,
    ): Promise<Array<{ id: string; kind: string; currency: string; balance: unknown; entries: unknown }>> {
      return queryRows(
        db,
        sql`
        select a.id, a.kind, a.currency, a.balance, coalesce(s.total, 0) as entries
        from ledger_accounts a
        left join (select account_id, sum(amount) as total from ledger_entries group by account_id) s on s.account_id = a.id
        where a.balance <> coalesce(s.total, 0)
        order by a.id limit ${limit}`,
      )
    },
    /** Escrow left behind: hold accounts with money whose milestone's contract is over (every one is a bug). */
    async holdsOnEndedContracts(limit: number): Promise<
      Array<{
        id: string
        currency: string
        balance: unknown
        milestone_id: string
        contract_id: string
        total: unknown
      }>
    > {
      return queryRows(
        db,
        sql`
        select a.id, a.currency, a.balance, m.id as milestone_id, c.id as contract_id, count(*) over () as total
        from ledger_accounts a
        join milestones m on m.id = a.owner_id
        join contracts c on c.id = m.contract_id
        where a.kind = 'hold' and a.balance <> 0 and c.state in ('ended', 'declined', 'expired')
        order by a.id limit ${limit}`,
      )
    },
    async unbalancedTransfers(limit: number): Promise<Array<{ id: string; total: unknown; legs: unknown }>> {
      return queryRows(
        db,
        sql`
        select t.id, coalesce(sum(e.amount), 0) as total, count(e.transfer_id) as legs
        from ledger_transfers t left join ledger_entries e on e.transfer_id = t.id
        group by t.id
        having coalesce(sum(e.amount), 0) <> 0 or count(e.transfer_id) < 2
           or coalesce(sum(e.amount) filter (where e.amount > 0), 0) <> max(t.amount)
        limit ${limit}`,
      )
    },
  }
}

export type LedgerRepository = ReturnType<typeof createLedgerRepository>
