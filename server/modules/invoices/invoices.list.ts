import type { Database } from '../../../db/client.js'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import { invoiceCsvHeader, invoiceCsvRows } from './invoices.csv.js'
import { invoiceErrors } from './invoices.errors.js'
import {
  createInvoiceListRepository,
  dateOf,
  type InvoiceFilter,
  type InvoiceListRow,
  type InvoiceTotalsRow,
} from './invoices.list.repository.js'
import { createInvoicesRepository } from './invoices.repository.js'

/** Rows read per query while a CSV export streams. */
const CSV_BATCH = 500

/**
 * Every invoice in one place: a user's invoices (or, for operators, all), filtered, paged
 * newest first, with totals per currency over the whole filter, and the same filter as CSV.
 */
export function createInvoiceListing(deps: { db: Database }) {
  const { db } = deps
  const nextCursorOf = (rows: InvoiceListRow[], limit: number) => {
    const last = rows[limit - 1]?.invoice
    return rows.length > limit && last ? timeIdCursor(dateOf(last), last.id) : null
  }

  /** A contract filter names a contract the viewer is a party to (operators: any); otherwise 404, as before. */
  async function checkContract(filter: InvoiceFilter) {
    if (!filter.contractId) return
    const contract = await createInvoicesRepository(db).contract(filter.contractId)
    const party =
      contract && (contract.clientId === filter.viewer.userId || contract.freelancerId === filter.viewer.userId)
    if (!contract || (!party && !filter.viewer.everyone)) throw invoiceErrors.notFound('Contract not found')
  }

  return {
    async page(input: {
      filter: InvoiceFilter
      cursor?: string
      limit: number
    }): Promise<{ rows: InvoiceListRow[]; nextCursor: string | null; totals: InvoiceTotalsRow[] }> {
      const after = input.cursor ? parseTimeIdCursor(input.cursor) : null
      await checkContract(input.filter)
      const repository = createInvoiceListRepository(db)
      const [rows, totals] = await Promise.all([
        repository.page(input.filter, after, input.limit + 1),
        repository.totals(input.filter),
      ])
      return { rows: rows.slice(0, input.limit), nextCursor: nextCursorOf(rows, input.limit), totals }
    },

    /**
     * The CSV text of the whole filter, in batches, so an operator's export of every
     * invoice never sits in memory at once. Checks run before the first chunk, so a bad
     * filter still answers 4xx.
     */
    async csv(filter: InvoiceFilter): Promise<AsyncIterable<string>> {
      await checkContract(filter)
      const repository = createInvoiceListRepository(db)
      return (async function* () {
        yield invoiceCsvHeader()
        let after: { at: Date; id: string } | null = null
        for (;;) {
          const rows = await repository.page(filter, after, CSV_BATCH)
          if (rows.length > 0) yield invoiceCsvRows(rows)
          const last = rows[rows.length - 1]?.invoice
          if (rows.length < CSV_BATCH || !last) return
          after = { at: dateOf(last), id: last.id }
        }
      })()
    },
  }
}

export type InvoiceListing = ReturnType<typeof createInvoiceListing>
