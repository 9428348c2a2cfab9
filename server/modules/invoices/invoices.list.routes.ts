import { Readable } from 'node:stream'
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { DAY } from '../../clock.js'
import { ErrorBody, PageQuery } from '../../http/schemas.js'
import { aboutField } from '../../http/validation-errors.js'
import { requireSession } from '../accounts/index.js'
import { invoiceErrors } from './invoices.errors.js'
import type { InvoiceFilter } from './invoices.list.repository.js'
import type { InvoiceListing } from './invoices.list.js'
import { InvoiceFilterQuery, InvoicePage, toInvoiceListItem, toInvoiceTotals } from './invoices.schemas.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody }
const FilterQuery = Type.Object(InvoiceFilterQuery)
const filterDescription =
  'Without `contractId`: your invoices (as client, billed to you; as freelancer, issued by you; operators: every invoice). ' +
  "With `contractId`: that contract's invoices, for its parties and operators (others 404). Filters combine."

const EARLIEST = Date.UTC(1970, 0, 1)
const LATEST = Date.UTC(9000, 0, 1)
const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value)

/** A `from`/`to` value as an instant: a bare day is that UTC day's start (`to`: the next day's, so the day is included). */
function instantOf(field: 'from' | 'to', value: string): Date {
  const at = isDay(value) ? Date.parse(`${value}T00:00:00.000Z`) + (field === 'to' ? DAY : 0) : Date.parse(value)
  if (Number.isNaN(at) || at < EARLIEST || at > LATEST)
    throw invoiceErrors.badFilter(...aboutField(field, 'must be a date between 1970 and 9000'))
  return new Date(at)
}

function filterOf(request: FastifyRequest, query: Static<typeof FilterQuery>): InvoiceFilter {
  const { user } = requireSession(request)
  const from = query.from ? instantOf('from', query.from) : undefined
  const to = query.to ? instantOf('to', query.to) : undefined
  if (from && to && to <= from) throw invoiceErrors.badFilter(...aboutField('to', 'must be after the start date'))
  return {
    viewer: { userId: user.id, everyone: user.role === 'operator' },
    role: query.role,
    states: query.state,
    kind: query.kind,
    from,
    to,
    contractId: query.contractId,
    counterpartyId: query.counterpartyId,
    currency: query.currency,
  }
}

/** `GET /api/v1/invoices` (the list, paged, with totals) and `GET /api/v1/invoices.csv` (the same filter, every row). */
export const invoiceListRoutes: FastifyPluginAsyncTypebox<{ listing: InvoiceListing }> = async (app, { listing }) => {
  app.get(
    '/api/v1/invoices',
    {
      schema: {
        tags: ['invoices'],
        summary: 'Invoices you may see, newest first by invoice date, with totals per currency',
        description: filterDescription,
        querystring: Type.Object({ ...InvoiceFilterQuery, ...PageQuery }),
        response: { 200: InvoicePage, ...errors },
      },
    },
    async (request) => {
      const { limit = 20, cursor, ...query } = request.query
      const page = await listing.page({ filter: filterOf(request, query), cursor, limit })
      return {
        items: page.rows.map(toInvoiceListItem),
        nextCursor: page.nextCursor,
        totals: page.totals.map(toInvoiceTotals),
      }
    },
  )

  app.get(
    '/api/v1/invoices.csv',
    {
      schema: {
        tags: ['invoices'],
        summary: 'The invoice list as CSV: every invoice the filter matches (no paging)',
        description: `${filterDescription} Columns: see docs/invoices.md.`,
        querystring: FilterQuery,
        response: { 200: { content: { 'text/csv': { schema: Type.String() } } }, ...errors },
      },
    },
    async (request, reply) => {
      const chunks = await listing.csv(filterOf(request, request.query))
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="invoices.csv"')
        .header('x-content-type-options', 'nosniff')
        .send(Readable.from(chunks) as never)
    },
  )
}
