import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CurrencyCode, ErrorBody, PageQuery } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { toJsonAmount } from '../ledger/index.js'
import type { History, HistoryLine } from './payments.history.js'

const errors = { 400: ErrorBody, 401: ErrorBody }

const HistoryItem = Type.Object({
  id: Type.String({ description: 'The ledger entry: `<transferId>:<leg>`' }),
  transferId: Type.String(),
  at: Type.String({ format: 'date-time' }),
  kind: Type.String({ description: 'deposit, fund, release, refund, timesheet, withdrawal_reserve, ...' }),
  description: Type.String({ description: 'In words: "Released: Design milestone, Acme"' }),
  account: Type.Union(
    [Type.Literal('wallet'), Type.Literal('earnings'), Type.Literal('withdrawal_pending'), Type.Literal('hold')],
    { description: 'Which of your balances it moved: wallet, earnings, withdrawal in progress, or escrow you funded' },
  ),
  amount: Type.Integer({ description: 'Signed minor units: added to (or, below 0, taken from) it' }),
  currency: Type.String(),
  contractId: Type.Union([Type.String(), Type.Null()]),
})

const HistoryQuery = Type.Object(
  { currency: Type.Optional(CurrencyCode), ...PageQuery },
  { additionalProperties: false },
)
const CsvQuery = Type.Object({ currency: Type.Optional(CurrencyCode) }, { additionalProperties: false })

const toItem = (line: HistoryLine) => ({
  id: line.id,
  transferId: line.transferId,
  at: line.at.toISOString(),
  kind: line.kind,
  description: line.description,
  account: line.account,
  amount: toJsonAmount(line.amount),
  currency: line.currency,
  contractId: line.contractId,
})

/** `GET /api/v1/wallet/history` (paged) and `GET /api/v1/wallet/history.csv`: the caller's own moves only. */
export const historyRoutes: FastifyPluginAsyncTypebox<{ history: History }> = async (app, { history }) => {
  app.get(
    '/api/v1/wallet/history',
    {
      schema: {
        tags: ['money'],
        summary: 'Your transaction history: every ledger move on your balances, newest first, in words',
        querystring: HistoryQuery,
        response: {
          200: Type.Object({ items: Type.Array(HistoryItem), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { limit = 20, cursor, currency } = request.query
      const page = await history.page({
        userId: requireSession(request).user.id,
        limit,
        ...(cursor ? { cursor } : {}),
        ...(currency ? { currency } : {}),
      })
      return { items: page.items.map(toItem), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/api/v1/wallet/history.csv',
    {
      schema: {
        tags: ['money'],
        summary: 'Your transaction history as CSV (every line, amounts in major units and in minor units)',
        querystring: CsvQuery,
        response: { 200: { content: { 'text/csv': { schema: Type.String() } } }, ...errors },
      },
    },
    async (request, reply) => {
      const { currency } = request.query
      const text = await history.csv({ userId: requireSession(request).user.id, ...(currency ? { currency } : {}) })
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="workroom-history.csv"')
        .header('x-content-type-options', 'nosniff')
        .send(text)
    },
  )
}
