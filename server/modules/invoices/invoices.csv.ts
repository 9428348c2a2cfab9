import { stringify } from 'csv-stringify/sync'
import { minorToDecimal } from '../../../common/money.js'
import { spreadsheetSafe } from '../../http/csv.js'
import { dateOf, type InvoiceListRow } from './invoices.list.repository.js'
import { formatInvoiceNumber } from './invoices.service.js'

/**
 * The CSV export of an invoice list: one row per invoice, the same rows as the JSON list
 * for the same filter. Amounts twice: in major units as plain decimals (`-12.50`, for
 * people) and in integer minor units (for programs); times in ISO 8601 UTC.
 */
export const invoiceCsvColumns = [
  'number',
  'kind',
  'state',
  'date',
  'issued_at',
  'paid_at',
  'voided_at',
  'currency',
  'total',
  'total_minor',
  'fee',
  'fee_minor',
  'freelancer_net',
  'freelancer_net_minor',
  'contract_title',
  'client_name',
  'freelancer_name',
  'period_start',
  'period_end',
  'note',
  'id',
  'contract_id',
  'client_id',
  'freelancer_id',
  'corrects_invoice_id',
] as const

const iso = (at: Date | null) => at?.toISOString() ?? ''

function csvRow({ invoice, clientName, freelancerName, contractTitle }: InvoiceListRow): string[] {
  const major = (amount: bigint) => minorToDecimal(amount, invoice.currency)
  const net = invoice.total - invoice.feeAmount
  return [
    formatInvoiceNumber(invoice.number) ?? '',
    invoice.kind,
    invoice.state,
    dateOf(invoice).toISOString(),
    iso(invoice.issuedAt),
    iso(invoice.paidAt),
    iso(invoice.voidedAt),
    invoice.currency,
    major(invoice.total),
    invoice.total.toString(),
    major(invoice.feeAmount),
    invoice.feeAmount.toString(),
    major(net),
    net.toString(),
    spreadsheetSafe(contractTitle ?? ''),
    spreadsheetSafe(clientName),
    spreadsheetSafe(freelancerName),
    invoice.periodStart ?? '',
    invoice.periodEnd ?? '',
    spreadsheetSafe(invoice.note ?? ''),
    invoice.id,
    invoice.contractId,
    invoice.clientId,
    invoice.freelancerId,
    invoice.correctsInvoiceId ?? '',
  ]
}

export const invoiceCsvHeader = (): string => stringify([invoiceCsvColumns as unknown as string[]])
export const invoiceCsvRows = (rows: readonly InvoiceListRow[]): string => stringify(rows.map(csvRow))
