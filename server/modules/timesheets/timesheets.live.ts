import type * as Y from 'yjs'
import type { Database } from '../../../db/client.js'
import type { DocumentMutation } from '../../realtime/kinds.js'
import { createInvoicesRepository } from '../invoices/index.js'
import { findContract, isoWeekLabel, loadWeek, type WeekTotals } from '../tracker/index.js'
import { weekAmount } from './timesheets.money.js'
import { createTimesheetsRepository } from './timesheets.repository.js'

/**
 * The timesheet side of the live contract state (`contract:<id>:state`, server-written):
 * a top-level Y.Map `timesheets`, timesheet id -> week, state, totals (frozen at submission;
 * an open week's so far), amount (an open week's running amount) and its invoices (number,
 * state, total). Re-read from the database and reconciled, so calling it any number of
 * times after a commit is safe.
 */
export function createTimesheetsLiveState(deps: {
  db: Database
  contractState: () => { write(contractId: string, mutate: DocumentMutation): Promise<void> } | null
  log: { warn(obj: object, msg: string): void }
}) {
  return async function refresh(contractId: string): Promise<void> {
    const writer = deps.contractState()
    if (!writer) return
    try {
      const sheets = (await createTimesheetsRepository(deps.db).ofContract(contractId)).slice(-60)
      const invoices = createInvoicesRepository(deps.db)
      const contract = sheets.some((sheet) => sheet.state === 'open') ? await findContract(deps.db, contractId) : null
      const values: Record<string, unknown> = {}
      for (const sheet of sheets) {
        const rows = await Promise.all(sheet.invoiceIds.map((id) => invoices.find(id)))
        const running =
          sheet.state === 'open' && contract ? (await loadWeek(deps.db, contract, sheet.weekStart)).totals : null
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
    } catch (err) {
      deps.log.warn({ err, contractId }, 'live timesheet state not updated')
    }
  }
}
