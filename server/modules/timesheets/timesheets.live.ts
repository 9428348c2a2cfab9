import type * as Y from 'yjs'
import type { Database } from '../../../db/client.js'
import { coalescePerKey } from '../../batch.js'
import type { DocumentMutation } from '../../realtime/kinds.js'
import { createInvoicesRepository } from '../invoices/index.js'
import { findContract, isoWeekLabel, weekTotals, type HourlyContract, type WeekTotals } from '../tracker/index.js'
import { weekAmount } from './timesheets.money.js'
import { createTimesheetsRepository, type TimesheetRow } from './timesheets.repository.js'

/** What a refresh read of the contract's open weeks: the week-change event reuses it. */
export interface OpenWeeks {
  contract: HourlyContract
  /** By the week's start (milliseconds). */
  weeks: Map<number, { sheet: TimesheetRow; totals: WeekTotals }>
}

/**
 * The timesheet side of the live contract state (`contract:<id>:state`, server-written):
 * a top-level Y.Map `timesheets`, timesheet id -> week, state, totals (frozen at submission;
 * an open week's so far), amount (an open week's running amount) and its invoices (number,
 * state, total). Re-read from the database and reconciled, so calling it any number of
 * times after a commit is safe; calls for a contract whose refresh is under way share the next one
 * (a burst of screenshots costs a few refreshes, not one each).
 */
export function createTimesheetsLiveState(deps: {
  db: Database
  contractState: () => { write(contractId: string, mutate: DocumentMutation): Promise<void> } | null
  log: { warn(obj: object, msg: string): void }
}) {
  return coalescePerKey(async function refresh(contractId: string): Promise<OpenWeeks | null> {
    const writer = deps.contractState()
    if (!writer) return null
    try {
      const sheets = (await createTimesheetsRepository(deps.db).ofContract(contractId)).slice(-60)
      const invoiceRows = await createInvoicesRepository(deps.db).findMany(sheets.flatMap((sheet) => sheet.invoiceIds))
      const invoiceById = new Map(invoiceRows.map((row) => [row.id, row]))
      const contract = sheets.some((sheet) => sheet.state === 'open') ? await findContract(deps.db, contractId) : null
      const open: OpenWeeks | null = contract ? { contract, weeks: new Map() } : null
      const values: Record<string, unknown> = {}
      for (const sheet of sheets) {
        const rows = sheet.invoiceIds.map((id) => invoiceById.get(id) ?? null)
        const running = sheet.state === 'open' && contract ? await weekTotals(deps.db, contract, sheet.weekStart) : null
        if (running) open?.weeks.set(sheet.weekStart.getTime(), { sheet, totals: running })
        const totals = (sheet.totals as WeekTotals | null) ?? running
        values[sheet.id] = {
          week: isoWeekLabel(sheet.weekStart),
          state: sheet.state,
          billableMinutes: totals?.billableMinutes ?? null,
          protectedMinutes: totals?.protectedMinutes ?? null,
          unprotectedMinutes: totals?.unprotectedMinutes ?? null,
          overLimitMinutes: totals?.overLimitMinutes ?? null,
          amount: sheet.amount ?? (running && contract ? Number(weekAmount(running, contract)) : null),
          currency: sheet.currency,
          approvedMinutes: sheet.approvedMinutes,
          invoices: rows
            .filter((r) => r !== null)
            .map((r) => ({ id: r.id, number: r.number, state: r.state, total: Number(r.total) })),
        }
      }
      await writer.write(contractId, (doc: Y.Doc) => {
        const map = doc.getMap<unknown>('timesheets')
        doc.transact(() => {
          for (const [key, value] of Object.entries(values))
            if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value)
        })
      })
      return open
    } catch (err) {
      deps.log.warn({ err, contractId }, 'live timesheet state not updated')
      return null
    }
  })
}
