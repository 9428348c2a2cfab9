import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { Executor, Transaction } from '../../../db/client.js'
import { MAX_LEDGER_AMOUNT, type LedgerAccountKind } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { sqlBigint } from './ledger.amounts.js'
import { ledgerErrors } from './ledger.errors.js'
import { accountKey, createLedgerRepository, type AccountRef, type LedgerAccountRow } from './ledger.repository.js'

export interface Leg {
  account: AccountRef
  /** Added to the account: negative takes money out. */
  amount: bigint
}

export interface TransferInput {
  /** What it is (`deposit`, `fund`, `release`, ...). */
  kind: string
  currency: string
  /** What caused it, e.g. `milestone:<id>`. */
  reference: string
  actorId: string | null
  legs: Leg[]
}

export interface TransferResult {
  id: string
  amount: bigint
  /** Each account's balance after the transfer, by `accountKey`. */
  balances: Map<string, bigint>
  accounts: Map<string, LedgerAccountRow>
}

export interface LedgerReport {
  ok: boolean
  currencies: Array<{
    currency: string
    balanceSum: bigint
    entrySum: bigint
    inside: bigint
    accounts: number
    transfers: number
  }>
  outOfBounds: Array<{ accountId: string; kind: string; currency: string; ownerId: string | null; balance: bigint }>
  mismatched: Array<{ accountId: string; kind: string; currency: string; balance: bigint; entrySum: bigint }>
  unbalancedTransfers: Array<{ transferId: string; sum: bigint; legs: number }>
  /** How many holds still carry money on contracts that are over (ended, declined, expired): must be 0. */
  holdsOnEndedContracts: number
  endedContractHolds: Array<{
    accountId: string
    currency: string
    balance: bigint
    milestoneId: string
    contractId: string
  }>
}

/** What an account holds, in words for a refusal ("the wallet has $120.00"). */
const holding: Partial<Record<string, (money: string) => string>> = {
  wallet: (money) => `the wallet has ${money}`,
  earnings: (money) => `available earnings are ${money}`,
  hold: (money) => `${money} is left in escrow`,
}

/** "Not enough money: $500.00 is needed and the wallet has $120.00". */
function shortOf(kind: string, needed: bigint, balance: bigint, currency: string): string {
  const money = (amount: bigint) => formatMoney(amount, currency, MESSAGE_LOCALE)
  const has = holding[kind]?.(money(balance)) ?? `the account has ${money(balance)}`
  return `Not enough money: ${money(needed)} is needed and ${has}`
}

/** Only the world account (money outside Workroom) may go below 0. */
export const isBounded = (kind: LedgerAccountKind): boolean => kind !== 'world'

/** Refs of the accounts every module names. */
export const accounts = {
  wallet: (userId: string, currency: string): AccountRef => ({ kind: 'wallet', currency, ownerId: userId }),
  earnings: (userId: string, currency: string): AccountRef => ({ kind: 'earnings', currency, ownerId: userId }),
  withdrawalPending: (userId: string, currency: string): AccountRef => ({
    kind: 'withdrawal_pending',
    currency,
    ownerId: userId,
  }),
  hold: (milestoneId: string, currency: string): AccountRef => ({ kind: 'hold', currency, ownerId: milestoneId }),
  fees: (currency: string): AccountRef => ({ kind: 'fees', currency, ownerId: null }),
  world: (currency: string): AccountRef => ({ kind: 'world', currency, ownerId: null }),
}

/**
 * The ledger core. `transfer` runs inside the caller's transaction (so a milestone's state
 * and its money commit together): it locks the accounts in id order (SELECT ... FOR
 * UPDATE), refuses an overdraft with 409 `ledger.insufficient_funds`, then appends one
 * transfer with its entries; the database adds them to the balances and checks, at
 * commit, that the transfer balances (see db/schema/ledger.ts).
 */
export function createLedgerService(deps: { clock: Clock; ids: IdGenerator }) {
  const { clock, ids } = deps

  async function ensureAccounts(tx: Executor, refs: AccountRef[]): Promise<void> {
    const repository = createLedgerRepository(tx)
    const existing = new Set((await repository.findAccounts(refs)).map((row) => accountKey(row as AccountRef)))
    // Missing accounts are created in key order, so two transfers creating the same two
    // accounts cannot wait on each other's uncommitted insert in a cycle.
    const missing = refs
      .filter((ref) => !existing.has(accountKey(ref)))
      .sort((a, b) => accountKey(a).localeCompare(accountKey(b)))
    for (const ref of missing) {
      await repository.insertAccount({
        id: ids.newId(),
        kind: ref.kind,
        currency: ref.currency,
        ownerId: ref.ownerId,
        createdAt: clock.now(),
      })
    }
  }

  return {
    async transfer(tx: Transaction, input: TransferInput): Promise<TransferResult> {
      // One leg per account (several legs on one account add up).
      const merged = new Map<string, Leg>()
      for (const leg of input.legs) {
        if (leg.account.currency !== input.currency)
          throw new Error(`ledger: leg in ${leg.account.currency} on a ${input.currency} transfer`)
        const key = accountKey(leg.account)
        const previous = merged.get(key)
        merged.set(key, { account: leg.account, amount: (previous?.amount ?? 0n) + leg.amount })
      }
      const legs = [...merged.values()].filter((leg) => leg.amount !== 0n)
      const sum = legs.reduce((total, leg) => total + leg.amount, 0n)
      const moved = legs.reduce((total, leg) => (leg.amount > 0n ? total + leg.amount : total), 0n)
      if (legs.length < 2 || sum !== 0n) throw new Error(`ledger: transfer ${input.kind} does not balance`)
      if (moved > MAX_LEDGER_AMOUNT) throw ledgerErrors.limitExceeded()

      const refs = legs.map((leg) => leg.account)
      const repository = createLedgerRepository(tx)
      // Accounts usually exist: lock them straight away (one round trip). When one is missing
      // nothing was locked: create the missing ones, then lock.
      let locked = await repository.lockAccounts(refs)
      if (locked.length === 0) {
        await ensureAccounts(tx, refs)
        locked = await repository.lockAccounts(refs)
      }
      const byKey = new Map(locked.map((row) => [accountKey(row as AccountRef), row]))
      const balances = new Map<string, bigint>()
      for (const leg of legs) {
        const key = accountKey(leg.account)
        const row = byKey.get(key)
        if (!row) throw new Error(`ledger: account ${key} missing after creation`)
        const after = row.balance + leg.amount
        if (isBounded(row.kind as LedgerAccountKind) && after < 0n) {
          throw ledgerErrors.insufficientFunds(shortOf(row.kind, -leg.amount, row.balance, row.currency), {
            account: row.kind,
            currency: row.currency,
            needed: Number(-leg.amount),
            available: Number(row.balance),
          })
        }
        if (after > MAX_LEDGER_AMOUNT || after < -MAX_LEDGER_AMOUNT) throw ledgerErrors.limitExceeded()
        balances.set(key, after)
      }

      const id = ids.newId()
      await repository.insertTransfer(
        {
          id,
          kind: input.kind,
          currency: input.currency,
          amount: moved,
          reference: input.reference,
          actorId: input.actorId,
          createdAt: clock.now(),
        },
        legs.map((leg) => ({ accountId: byKey.get(accountKey(leg.account))!.id, amount: leg.amount })),
      )
      return { id, amount: moved, balances, accounts: byKey }
    },

    /** The balance of one account (0 when it does not exist yet). */
    async balance(db: Executor, ref: AccountRef): Promise<bigint> {
      const [row] = await createLedgerRepository(db).findAccounts([ref])
      return row?.balance ?? 0n
    },

    /** Every account owned by these users or milestones. */
    async accountsOf(db: Executor, ownerIds: string[]): Promise<LedgerAccountRow[]> {
      return createLedgerRepository(db).accountsOfOwners(ownerIds)
    },

    /**
     * Checks the whole ledger: sums per currency are 0, nothing bounded is below 0, balances
     * equal their entries, and no escrow is left on a contract that is over.
     */
    async verify(db: Executor, limit = 100): Promise<LedgerReport> {
      const repository = createLedgerRepository(db)
      const [balanceSums, entrySums, transferCounts, outOfBounds, mismatched, unbalanced, endedHolds] =
        await Promise.all([
          repository.balanceSumsByCurrency(),
          repository.entrySumsByCurrency(),
          repository.transferCountsByCurrency(),
          repository.accountsOutOfBounds(limit),
          repository.accountsNotMatchingEntries(limit),
          repository.unbalancedTransfers(limit),
          repository.holdsOnEndedContracts(limit),
        ])
      const currencies = new Map<string, LedgerReport['currencies'][number]>()
      const entry = (currency: string) => {
        let row = currencies.get(currency)
        if (!row)
          currencies.set(
            currency,
            (row = { currency, balanceSum: 0n, entrySum: 0n, inside: 0n, accounts: 0, transfers: 0 }),
          )
        return row
      }
      for (const row of balanceSums)
        Object.assign(entry(row.currency), {
          balanceSum: sqlBigint(row.total),
          inside: sqlBigint(row.inside),
          accounts: Number(row.accounts),
        })
      for (const row of entrySums) entry(row.currency).entrySum = sqlBigint(row.total)
      for (const row of transferCounts) entry(row.currency).transfers = Number(row.transfers)
      const report: LedgerReport = {
        ok: false,
        currencies: [...currencies.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
        outOfBounds: outOfBounds.map((row) => ({
          accountId: row.id,
          kind: row.kind,
          currency: row.currency,
          ownerId: row.owner_id,
          balance: sqlBigint(row.balance),
        })),
        mismatched: mismatched.map((row) => ({
          accountId: row.id,
          kind: row.kind,
          currency: row.currency,
          balance: sqlBigint(row.balance),
          entrySum: sqlBigint(row.entries),
        })),
        unbalancedTransfers: unbalanced.map((row) => ({
          transferId: row.id,
          sum: sqlBigint(row.total),
          legs: Number(row.legs),
        })),
        holdsOnEndedContracts: Number(endedHolds[0]?.total ?? 0),
        endedContractHolds: endedHolds.map((row) => ({
          accountId: row.id,
          currency: row.currency,
          balance: sqlBigint(row.balance),
          milestoneId: row.milestone_id,
          contractId: row.contract_id,
        })),
      }
      report.ok =
        report.currencies.every((c) => c.balanceSum === 0n && c.entrySum === 0n) &&
        report.outOfBounds.length === 0 &&
        report.mismatched.length === 0 &&
        report.unbalancedTransfers.length === 0 &&
        report.holdsOnEndedContracts === 0
      return report
    },
  }
}

export type LedgerService = ReturnType<typeof createLedgerService>
