import { Type, type Static } from '@fastify/type-provider-typebox'
import { CurrencyCode } from '../../http/schemas.js'
import { toJsonAmount } from '../ledger/index.js'
import { dateOf, type InvoiceListRow, type InvoiceTotalsRow } from './invoices.list.repository.js'
import type { InvoiceRow } from './invoices.repository.js'
import { formatInvoiceNumber } from './invoices.service.js'

export const Invoice = Type.Object({
  id: Type.String(),
  number: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Position in the instance-wide gap-free sequence; null while draft',
  }),
  displayNumber: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')]),
  state: Type.Union([Type.Literal('draft'), Type.Literal('formal'), Type.Literal('paid'), Type.Literal('void')]),
  contractId: Type.String(),
  milestoneId: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.String(),
  freelancerId: Type.String(),
  currency: Type.String(),
  lines: Type.Array(
    Type.Object({
      description: Type.String(),
      quantity: Type.Number(),
      unitAmount: Type.Integer(),
      amount: Type.Integer(),
    }),
  ),
  subtotal: Type.Integer(),
  total: Type.Integer({ description: 'What the client pays' }),
  feeAmount: Type.Integer({ description: 'Platform fee withheld from the freelancer' }),
  freelancerNet: Type.Integer({ description: 'What the freelancer receives: total - feeAmount' }),
  periodStart: Type.Union([Type.String(), Type.Null()]),
  periodEnd: Type.Union([Type.String(), Type.Null()]),
  correctsInvoiceId: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  issuedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  paidAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  voidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  date: Type.String({
    format: 'date-time',
    description: 'The invoice date: issuedAt, or createdAt while draft. Lists sort and filter by it',
  }),
})
export type InvoiceDto = Static<typeof Invoice>

export function toInvoice(row: InvoiceRow): InvoiceDto {
  return {
    id: row.id,
    number: row.number,
    displayNumber: formatInvoiceNumber(row.number),
    kind: row.kind as InvoiceDto['kind'],
    state: row.state as InvoiceDto['state'],
    contractId: row.contractId,
    milestoneId: row.milestoneId,
    clientId: row.clientId,
    freelancerId: row.freelancerId,
    currency: row.currency,
    lines: row.lines,
    subtotal: toJsonAmount(row.subtotal),
    total: toJsonAmount(row.total),
    feeAmount: toJsonAmount(row.feeAmount),
    freelancerNet: toJsonAmount(row.total - row.feeAmount),
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    correctsInvoiceId: row.correctsInvoiceId,
    note: row.note,
    issuedAt: row.issuedAt?.toISOString() ?? null,
    paidAt: row.paidAt?.toISOString() ?? null,
    voidedAt: row.voidedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    date: dateOf(row).toISOString(),
  }
}

export const InvoiceListItem = Type.Object({
  ...Invoice.properties,
  clientName: Type.String(),
  freelancerName: Type.String(),
  contractTitle: Type.Union([Type.String(), Type.Null()], { description: "The contract's job title" }),
})

export const InvoiceTotals = Type.Object({
  currency: Type.String(),
  count: Type.Integer(),
  total: Type.Integer({ description: 'Sum of the totals (credit notes negative)' }),
  feeAmount: Type.Integer(),
  freelancerNet: Type.Integer(),
})

export const InvoicePage = Type.Object({
  items: Type.Array(InvoiceListItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  totals: Type.Array(InvoiceTotals, {
    description: 'Per currency, over every invoice the filter matches (not only this page)',
  }),
})

const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  )
const DateOrTime = (description: string) =>
  Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], { description })

/** The filters of the list and of its CSV export. */
export const InvoiceFilterQuery = {
  contractId: Type.Optional(Type.String({ format: 'uuid' })),
  role: Type.Optional(
    literals(['client', 'freelancer'] as const, 'Your side: client (billed to you) or freelancer (issued by you)'),
  ),
  state: Type.Optional(
    Type.Array(literals(['draft', 'formal', 'paid', 'void'] as const), {
      maxItems: 4,
      description: 'Repeat for several',
    }),
  ),
  kind: Type.Optional(literals(['invoice', 'credit_note'] as const)),
  from: Type.Optional(DateOrTime('Invoice date from: a UTC day (YYYY-MM-DD) or an instant, inclusive')),
  to: Type.Optional(
    DateOrTime('Invoice date to: a UTC day (YYYY-MM-DD, that whole day included) or an instant (excluded)'),
  ),
  counterpartyId: Type.Optional(
    Type.String({ format: 'uuid', description: 'The other party (operators: either party)' }),
  ),
  currency: Type.Optional(CurrencyCode),
}

export function toInvoiceListItem(row: InvoiceListRow): Static<typeof InvoiceListItem> {
  return {
    ...toInvoice(row.invoice),
    clientName: row.clientName,
    freelancerName: row.freelancerName,
    contractTitle: row.contractTitle,
  }
}

export function toInvoiceTotals(row: InvoiceTotalsRow): Static<typeof InvoiceTotals> {
  return {
    currency: row.currency,
    count: row.count,
    total: toJsonAmount(row.total),
    feeAmount: toJsonAmount(row.feeAmount),
    freelancerNet: toJsonAmount(row.total - row.feeAmount),
  }
}
