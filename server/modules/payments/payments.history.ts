import { stringify } from 'csv-stringify/sync'
import { minorToDecimal } from '../../../common/money.js'
import type { Executor } from '../../../db/client.js'
import { spreadsheetSafe } from '../../http/csv.js'
import { decodeCursor, encodeCursor, isUuid, parseCursorTime } from '../../http/page-cursor.js'
import {
  createHistoryRepository,
  type ContractContext,
  type HistoryEntryRow,
  type HistoryPosition,
} from './payments.history.repository.js'

/** One line of a user's transaction history, in words. */
export interface HistoryLine {
  id: string
  transferId: string
  at: Date
  kind: string
  /** "Released: Design milestone, Acme". */
  description: string
  account: HistoryEntryRow['account']
  /** Signed minor units: what this move added to (or took from) the account. */
  amount: bigint
  currency: string
  contractId: string | null
}

/** Rows read per query while a CSV export is built, and the most rows one export holds. */
const CSV_BATCH = 500
export const CSV_MAX_ROWS = 50_000

const verbs: Record<string, string> = {
  fund: 'Funded',
  release: 'Released',
  refund: 'Refunded',
  timesheet: 'Hours paid',
}

const accountLabels: Record<HistoryEntryRow['account'], string> = {
  wallet: 'Wallet',
  earnings: 'Earnings',
  withdrawal_pending: 'Withdrawal in progress',
  hold: 'Escrow',
}

function describe(row: HistoryEntryRow, userId: string, context: ContractContext | undefined): string {
  switch (row.kind) {
    case 'deposit':
      return 'Deposit received'
    case 'withdrawal_reserve':
      return row.account === 'earnings' ? 'Withdrawal requested' : 'Withdrawal reserved'
    case 'withdrawal_payout':
      return 'Withdrawal paid out'
    case 'withdrawal_return':
      return row.account === 'earnings' ? 'Withdrawal rejected: returned to earnings' : 'Withdrawal rejected'
  }
  const verb = verbs[row.kind] ?? row.kind.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())
  if (!context) return verb
  const other = context.clientId === userId ? context.freelancerName : context.clientName
  const what =
    context.milestoneTitle ?? (context.weekStart ? `week of ${context.weekStart.toISOString().slice(0, 10)}` : '')
  return `${verb}: ${what || context.jobTitle}, ${other}`
}

const referenceOf = (reference: string): { type: string; id: string } | null => {
  const [type, id] = reference.split(':')
  return type && isUuid(id) ? { type, id } : null
}

const cursorOf = (row: HistoryEntryRow) => encodeCursor({ t: row.at.toISOString(), i: row.transferId, l: row.leg })

function parseCursor(cursor: string): HistoryPosition {
  return decodeCursor(cursor, (value) => {
    const at = parseCursorTime(value.t)
    return at && isUuid(value.i) && Number.isSafeInteger(value.l)
      ? { at, transferId: value.i, leg: value.l as number }
      : null
  })
}

/**
 * A user's transaction history: every ledger entry on their wallet, earnings and withdrawal
 * reserve, and on the escrow they funded as a client, newest first, each described in words
 * (docs/wallet.md). Only one's own: there is no user parameter to ask for someone else's.
 */
export function createHistory(deps: { db: Executor }) {
  async function lines(userId: string, rows: HistoryEntryRow[]): Promise<HistoryLine[]> {
    const repository = createHistoryRepository(deps.db)
    const refs = rows.map((row) => referenceOf(row.reference))
    const idsOf = (type: string) => [...new Set(refs.filter((r) => r?.type === type).map((r) => r!.id))]
    const milestones = await repository.milestones(idsOf('milestone'))
    const timesheets = await repository.timesheets(idsOf('timesheet'))
    return rows.map((row, i) => {
      const ref = refs[i]
      const context =
        ref?.type === 'milestone'
          ? milestones.get(ref.id)
          : ref?.type === 'timesheet'
            ? timesheets.get(ref.id)
            : undefined
      return {
        id: `${row.transferId}:${row.leg}`,
        transferId: row.transferId,
        at: row.at,
        kind: row.kind,
        description: describe(row, userId, context),
        account: row.account,
        amount: row.amount,
        currency: row.currency,
        contractId: context?.contractId ?? null,
      }
    })
  }

  return {
    async page(input: {
      userId: string
      currency?: string
      cursor?: string
      limit: number
    }): Promise<{ items: HistoryLine[]; nextCursor: string | null }> {
      const after = input.cursor ? parseCursor(input.cursor) : null
      const rows = await createHistoryRepository(deps.db).page({
        userId: input.userId,
        ...(input.currency ? { currency: input.currency } : {}),
        after,
        limit: input.limit + 1,
      })
      const shown = rows.slice(0, input.limit)
      const last = shown.at(-1)
      return {
        items: await lines(input.userId, shown),
        nextCursor: rows.length > input.limit && last ? cursorOf(last) : null,
      }
    },

    /** The same lines as CSV, every page of them (up to CSV_MAX_ROWS), amounts in major units. */
    async csv(input: { userId: string; currency?: string }): Promise<string> {
      const repository = createHistoryRepository(deps.db)
      const out: string[] = [stringify([csvColumns])]
      let after: HistoryPosition | null = null
      for (let read = 0; read < CSV_MAX_ROWS; read += CSV_BATCH) {
        const rows = await repository.page({
          userId: input.userId,
          ...(input.currency ? { currency: input.currency } : {}),
          after,
          limit: CSV_BATCH,
        })
        if (rows.length > 0) out.push(stringify((await lines(input.userId, rows)).map(csvRow)))
        const last = rows.at(-1)
        if (rows.length < CSV_BATCH || !last) break
        after = { at: last.at, transferId: last.transferId, leg: last.leg }
      }
      return out.join('')
    },
  }
}

export const csvColumns = [
  'date',
  'description',
  'account',
  'amount',
  'currency',
  'amount_minor',
  'kind',
  'transfer_id',
]

function csvRow(line: HistoryLine): string[] {
  return [
    line.at.toISOString(),
    spreadsheetSafe(line.description),
    accountLabels[line.account],
    minorToDecimal(line.amount, line.currency),
    line.currency,
    line.amount.toString(),
    line.kind,
    line.transferId,
  ]
}

export type History = ReturnType<typeof createHistory>
