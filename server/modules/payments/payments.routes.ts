import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { IdempotencyHeaders } from '../../plugins/idempotency.js'
import { requireSession } from '../accounts/accounts.auth.js'
import { Deposit, DepositBody, StateQuery, toDeposit, toWallet, toWithdrawal, Wallet, Withdrawal, WithdrawalBody } from './payments.schemas.js'
import type { PaymentsService } from './payments.service.js'
import { createPaymentsRepository } from './payments.repository.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody }
const page = <T extends { createdAt: Date; id: string }>(rows: T[], limit: number) => ({
  rows: rows.slice(0, limit),
  nextCursor: rows.length > limit ? timeIdCursor(rows[limit - 1]!.createdAt, rows[limit - 1]!.id) : null,
})

export const paymentsRoutes: FastifyPluginAsyncTypebox<{ payments: PaymentsService }> = async (app, { payments }) => {
  app.get(
    '/api/v1/wallet',
    { schema: { tags: ['money'], summary: "The caller's balances per currency and pending deposits and withdrawals", response: { 200: Wallet, ...errors } } },
    async (request) => toWallet(await payments.wallet(app.db, requireSession(request).user.id)),
  )

  app.post(
    '/api/v1/wallet/deposits',
    {
      schema: {
        tags: ['money'],
        summary: 'Ask to deposit money into your wallet (pending until the provider or an operator confirms it)',
        headers: IdempotencyHeaders,
        body: DepositBody,
        response: { 201: Deposit, ...errors },
      },
    },
    async (request, reply) => {
      const userId = requireSession(request).user.id
      return app.idempotency.run({
        request,
        reply,
        userId,
        work: async (tx) => {
          const { amount, currency, provider } = request.body
          const deposit = await payments.requestDeposit(tx, { userId, amount: BigInt(amount), currency, ...(provider ? { provider } : {}) })
          return { statusCode: 201, body: toDeposit(deposit) }
        },
      })
    },
  )

  app.post(
    '/api/v1/wallet/withdrawals',
    {
      schema: {
        tags: ['money'],
        summary: 'Withdraw earnings (reserved at once; paid out when the provider or an operator confirms)',
        headers: IdempotencyHeaders,
        body: WithdrawalBody,
        response: { 201: Withdrawal, ...errors },
      },
    },
    async (request, reply) => {
      const userId = requireSession(request).user.id
      return app.idempotency.run({
        request,
        reply,
        userId,
        work: async (tx) => {
          const { amount, currency, destination, provider } = request.body
          const withdrawal = await payments.requestWithdrawal(tx, {
            userId,
            amount: BigInt(amount),
            currency,
            destination: destination ?? null,
            ...(provider ? { provider } : {}),
          })
          return { statusCode: 201, body: toWithdrawal(withdrawal) }
        },
      })
    },
  )

  app.get(
    '/api/v1/wallet/deposits',
    { schema: { tags: ['money'], summary: 'Your deposits, newest first', querystring: StateQuery, response: { 200: Type.Object({ items: Type.Array(Deposit), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors } } },
    async (request) => {
      const { state, limit = 20, cursor } = request.query
      const rows = await createPaymentsRepository(app.db).pageDeposits({ userId: requireSession(request).user.id, ...(state ? { state } : {}), ...(cursor ? { after: parseTimeIdCursor(cursor) } : {}), limit: limit + 1 })
      const { rows: items, nextCursor } = page(rows, limit)
      return { items: items.map(toDeposit), nextCursor }
    },
  )

  app.get(
    '/api/v1/wallet/withdrawals',
    { schema: { tags: ['money'], summary: 'Your withdrawals, newest first', querystring: StateQuery, response: { 200: Type.Object({ items: Type.Array(Withdrawal), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors } } },
    async (request) => {
      const { state, limit = 20, cursor } = request.query
      const rows = await createPaymentsRepository(app.db).pageWithdrawals({ userId: requireSession(request).user.id, ...(state ? { state } : {}), ...(cursor ? { after: parseTimeIdCursor(cursor) } : {}), limit: limit + 1 })
      const { rows: items, nextCursor } = page(rows, limit)
      return { items: items.map(toWithdrawal), nextCursor }
    },
  )

  // Operators: the manual provider's side. Each decision moves money once (Idempotency-Key).
  const adminDeposit = (action: 'confirm' | 'cancel', summary: string) =>
    app.post(
      `/api/v1/admin/deposits/:id/${action}`,
      { config: { auth: 'operator' }, schema: { tags: ['money'], summary, params: IdParams, headers: IdempotencyHeaders, response: { 200: Deposit, ...errors } } },
      async (request, reply) => {
        const actorId = requireSession(request).user.id
        return app.idempotency.run({
          request,
          reply,
          userId: actorId,
          work: async (tx) => {
            const input = { depositId: request.params.id, actorId }
            const deposit = action === 'confirm' ? await payments.confirmDeposit(tx, input) : await payments.cancelDeposit(tx, input)
            return { statusCode: 200, body: toDeposit(deposit) }
          },
        })
      },
    )
  adminDeposit('confirm', 'Confirm that a deposit arrived (operators): world -> wallet')
  adminDeposit('cancel', 'Cancel a deposit that never arrived (operators)')

  const adminWithdrawal = (action: 'confirm' | 'reject', summary: string) =>
    app.post(
      `/api/v1/admin/withdrawals/:id/${action}`,
      { config: { auth: 'operator' }, schema: { tags: ['money'], summary, params: IdParams, headers: IdempotencyHeaders, response: { 200: Withdrawal, ...errors } } },
      async (request, reply) => {
        const actorId = requireSession(request).user.id
        return app.idempotency.run({
          request,
          reply,
          userId: actorId,
          work: async (tx) => {
            const input = { withdrawalId: request.params.id, actorId }
            const withdrawal = action === 'confirm' ? await payments.settleWithdrawal(tx, input) : await payments.rejectWithdrawal(tx, input)
            return { statusCode: 200, body: toWithdrawal(withdrawal) }
          },
        })
      },
    )
  adminWithdrawal('confirm', 'Confirm that a withdrawal was paid out (operators): earnings reserve -> world')
  adminWithdrawal('reject', 'Reject a withdrawal (operators): the reserved money returns to earnings')

  app.get(
    '/api/v1/admin/deposits',
    { config: { auth: 'operator' }, schema: { tags: ['money'], summary: 'Deposits of everyone, newest first (operators); `?state=pending`', querystring: StateQuery, response: { 200: Type.Object({ items: Type.Array(Deposit), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors } } },
    async (request) => {
      const { state, limit = 20, cursor } = request.query
      const rows = await createPaymentsRepository(app.db).pageDeposits({ ...(state ? { state } : {}), ...(cursor ? { after: parseTimeIdCursor(cursor) } : {}), limit: limit + 1 })
      const { rows: items, nextCursor } = page(rows, limit)
      return { items: items.map(toDeposit), nextCursor }
    },
  )

  app.get(
    '/api/v1/admin/withdrawals',
    { config: { auth: 'operator' }, schema: { tags: ['money'], summary: 'Withdrawals of everyone, newest first (operators); `?state=pending`', querystring: StateQuery, response: { 200: Type.Object({ items: Type.Array(Withdrawal), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors } } },
    async (request) => {
      const { state, limit = 20, cursor } = request.query
      const rows = await createPaymentsRepository(app.db).pageWithdrawals({ ...(state ? { state } : {}), ...(cursor ? { after: parseTimeIdCursor(cursor) } : {}), limit: limit + 1 })
      const { rows: items, nextCursor } = page(rows, limit)
      return { items: items.map(toWithdrawal), nextCursor }
    },
  )
}
