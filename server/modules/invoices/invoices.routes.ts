import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { Database } from '../../../db/client.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { invoiceErrors } from './invoices.errors.js'
import { renderInvoiceHtml } from './invoices.html.js'
import { createInvoicesRepository, type InvoiceRow } from './invoices.repository.js'
import { Invoice, toInvoice } from './invoices.schemas.js'
import type { InvoicesService } from './invoices.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }

/** The invoice if the caller is its client, its freelancer or an operator; otherwise not found. */
async function visibleInvoice(db: Database, request: FastifyRequest, id: string): Promise<InvoiceRow> {
  const { user } = requireSession(request)
  const invoice = await createInvoicesRepository(db).find(id)
  if (!invoice || (user.role !== 'operator' && invoice.clientId !== user.id && invoice.freelancerId !== user.id))
    throw invoiceErrors.notFound()
  return invoice
}

export const invoicesRoutes: FastifyPluginAsyncTypebox<{
  invoices: InvoicesService
  afterVoid: (invoice: InvoiceRow) => Promise<void>
}> = async (app, { invoices, afterVoid }) => {
  app.get(
    '/api/v1/invoices/:id',
    {
      schema: {
        tags: ['invoices'],
        summary: 'One invoice (JSON)',
        params: IdParams,
        response: { 200: Invoice, ...errors },
      },
    },
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
      return (
        reply
          .type('text/html; charset=utf-8')
          // Stricter than the site's policy (security-headers.ts): the page runs nothing, loads nothing.
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
          )
          .send(
            renderInvoiceHtml(invoice, {
              client: names.get(invoice.clientId) ?? '',
              freelancer: names.get(invoice.freelancerId) ?? '',
            }),
          )
      )
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
      const result = await app.db.transaction((tx) =>
        invoices.void(tx, { invoiceId: request.params.id, actorId, reason: request.body.reason }),
      )
      await afterVoid(result.voided).catch((err: unknown) => request.log.error({ err }, 'live invoice update failed'))
      return { voided: toInvoice(result.voided), correction: toInvoice(result.correction) }
    },
  )
}
