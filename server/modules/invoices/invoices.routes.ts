import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { Database } from '../../../db/client.js'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/accounts.auth.js'
import { toJsonAmount } from '../ledger/ledger.amounts.js'
import { invoiceErrors } from './invoices.errors.js'
import { renderInvoiceHtml } from './invoices.html.js'
import { createInvoicesRepository, type InvoiceRow } from './invoices.repository.js'
import { formatInvoiceNumber, type InvoicesService } from './invoices.service.js'

export const Invoice = Type.Object({
  id: Type.String(),
  number: Type.Union([Type.Integer(), Type.Null()], { description: 'Position in the instance-wide gap-free sequence; null while draft' }),
  displayNumber: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')]),
  state: Type.Union([Type.Literal('draft'), Type.Literal('formal'), Type.Literal('paid'), Type.Literal('void')]),
  contractId: Type.String(),
  milestoneId: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.String(),
  freelancerId: Type.String(),
  currency: Type.String(),
  lines: Type.Array(Type.Object({ description: Type.String(), quantity: Type.Number(), unitAmount: Type.Integer(), amount: Type.Integer() })),
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
  }
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }

/** The invoice if the caller is its client, its freelancer or an operator; otherwise not found. */
async function visibleInvoice(db: Database, request: FastifyRequest, id: string): Promise<InvoiceRow> {
  const { user } = requireSession(request)
  const invoice = await createInvoicesRepository(db).find(id)
  if (!invoice || (user.role !== 'operator' && invoice.clientId !== user.id && invoice.freelancerId !== user.id)) throw invoiceErrors.notFound()
  return invoice
}

export const invoicesRoutes: FastifyPluginAsyncTypebox<{ invoices: InvoicesService; afterVoid: (invoice: InvoiceRow) => Promise<void> }> = async (
  app,
  { invoices, afterVoid },
) => {
  app.get(
    '/api/v1/invoices',
    {
      schema: {
        tags: ['invoices'],
        summary: "A contract's invoices, newest first",
        querystring: Type.Object({
          contractId: Type.Optional(Type.String({ format: 'uuid' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Invoice), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (request) => {
      const { user } = requireSession(request)
      const { contractId, limit = 20, cursor } = request.query
      if (!contractId) throw invoiceErrors.contractRequired()
      const repository = createInvoicesRepository(app.db)
      const contract = await repository.contract(contractId)
      if (!contract || (user.role !== 'operator' && contract.clientId !== user.id && contract.freelancerId !== user.id)) throw invoiceErrors.notFound('Contract not found')
      const rows = await repository.pageOfContract(contractId, cursor ? parseTimeIdCursor(cursor) : null, limit + 1)
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return { items: items.map(toInvoice), nextCursor: rows.length > limit && last ? timeIdCursor(last.createdAt, last.id) : null }
    },
  )

  app.get(
    '/api/v1/invoices/:id',
    { schema: { tags: ['invoices'], summary: 'One invoice (JSON)', params: IdParams, response: { 200: Invoice, ...errors } } },
    async (request) => toInvoice(await visibleInvoice(app.db, request, request.params.id)),
  )

  app.get(
    '/api/v1/invoices/:id/html',
    {
      schema: {
        tags: ['invoices'],
        summary: 'One invoice as a printable HTML page',
        params: IdParams,
        response: { 200: { content: { 'text/html': { schema: Type.String() } } }, ...errors },
      },
    },
    async (request, reply) => {
      const invoice = await visibleInvoice(app.db, request, request.params.id)
      const names = await createInvoicesRepository(app.db).names([invoice.clientId, invoice.freelancerId])
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .header('x-content-type-options', 'nosniff')
        .send(renderInvoiceHtml(invoice, { client: names.get(invoice.clientId) ?? '', freelancer: names.get(invoice.freelancerId) ?? '' }))
    },
  )

  app.post(
    '/api/v1/admin/invoices/:id/void',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['invoices'],
        summary: 'Void a formal or paid invoice (operators): issues a numbered correcting invoice',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ voided: Invoice, correction: Invoice }), ...errors },
      },
    },
    async (request) => {
      const actorId = requireSession(request).user.id
      const result = await app.db.transaction((tx) => invoices.void(tx, { invoiceId: request.params.id, actorId, reason: request.body.reason }))
      await afterVoid(result.voided).catch((err: unknown) => request.log.error({ err }, 'live invoice update failed'))
      return { voided: toInvoice(result.voided), correction: toInvoice(result.correction) }
    },
  )
}
