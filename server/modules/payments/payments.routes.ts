import { Type, type FastifyPluginAsyncTypebox, type TSchema } from '@fastify/type-provider-typebox'
import { parseTimeIdCursor, timeIdPage } from '../../http/page-cursor.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { IdempotencyHeaders } from '../../plugins/idempotency.js'
import { requireSession } from '../accounts/index.js'
import {
  AdminDeposit,
  AdminWithdrawal,
  Deposit,
  DepositBody,
  StateQuery,
  toDeposit,
  toWallet,
  toWithdrawal,
  Wallet,
  Withdrawal,
  WithdrawalBody,
} from './payments.schemas.js'
import { noticeWithdrawalPaid } from './payments.notices.js'
import type { PaymentsService } from './payments.service.js'
import { createPaymentsRepository, type MoneyRequestPage } from './payments.repository.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody }
const Page = (item: TSchema) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) })

export const paymentsRoutes: FastifyPluginAsyncTypebox<{ payments: PaymentsService }> = async (app, { payments }) => {
  const repository = createPaymentsRepository(app.db)

  /**
   * A newest-first list of deposits or withdrawals: the caller's own, or everyone's for
   * operators, each with who asked (`user`: name and email), never a bare id to look up.
   */
  function listRoute<Row extends { createdAt: Date; id: string; userId: string }>(route: {
    url: string
    summary: string
    operators?: boolean
    item: TSchema
    rows: (page: MoneyRequestPage) => Promise<Row[]>
    toItem: (row: Row) => object
  }) {
    app.get(
      route.url,
      {
        ...(route.operators ? { config: { auth: 'operator' as const } } : {}),
        schema: {
          tags: ['money'],
          summary: route.summary,
          querystring: StateQuery,
          response: { 200: Page(route.item), ...errors },
        },
      },
      async (request) => {
        const { state, limit = 20, cursor } = request.query
        const rows = await route.rows({
          ...(route.operators ? {} : { userId: requireSession(request).user.id }),
          ...(state ? { state } : {}),
          ...(cursor ? { after: parseTimeIdCursor(cursor) } : {}),
          limit: limit + 1,
        })
        const { items, nextCursor } = timeIdPage(rows, limit)
        if (!route.operators) return { items: items.map(route.toItem), nextCursor }
        // Every request references its account (a foreign key): each one is found.
        const people = await repository.requesters(items.map((row) => row.userId))
        return { items: items.map((row) => ({ ...route.toItem(row), user: people.get(row.userId)! })), nextCursor }
      },
    )
  }

  app.get(
    '/api/v1/wallet',
    {
      schema: {
        tags: ['money'],
        summary: "The caller's balances per currency and pending deposits and withdrawals",
        response: { 200: Wallet, ...errors },
      },
    },
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
          const deposit = await payments.requestDeposit(tx, {
            userId,
            amount: BigInt(amount),
            currency,
            ...(provider ? { provider } : {}),
          })
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

  listRoute({
    url: '/api/v1/wallet/deposits',
    summary: 'Your deposits, newest first',
    item: Deposit,
    rows: repository.pageDeposits,
    toItem: toDeposit,
  })
  listRoute({
    url: '/api/v1/wallet/withdrawals',
    summary: 'Your withdrawals, newest first',
    item: Withdrawal,
    rows: repository.pageWithdrawals,
    toItem: toWithdrawal,
  })

  // Operators: the manual provider's side. Each decision moves money once (Idempotency-Key).
  // The owner's wallet page waits on their event stream for the decision (no reload).
  const tellOwner = (userId: string, type: string, data: object) => app.events.publish([userId], { type, data })
  const adminDeposit = (action: 'confirm' | 'cancel', summary: string) =>
    app.post(
      `/api/v1/admin/deposits/:id/${action}`,
      {
        config: { auth: 'operator' },
        schema: {
          tags: ['money'],
          summary,
          params: IdParams,
          headers: IdempotencyHeaders,
          response: { 200: Deposit, ...errors },
        },
      },
      async (request, reply) => {
        const actorId = requireSession(request).user.id
        return app.idempotency.run({
          request,
          reply,
          userId: actorId,
          work: async (tx) => {
            const input = { depositId: request.params.id, actorId }
            const deposit =
              action === 'confirm' ? await payments.confirmDeposit(tx, input) : await payments.cancelDeposit(tx, input)
            return {
              statusCode: 200,
              body: toDeposit(deposit),
              afterCommit: () => tellOwner(deposit.userId, `deposit.${deposit.state}`, toDeposit(deposit)),
            }
          },
        })
      },
    )
  adminDeposit('confirm', 'Confirm that a deposit arrived (operators): world -> wallet')
  adminDeposit('cancel', 'Cancel a deposit that never arrived (operators)')

  const adminWithdrawal = (action: 'confirm' | 'reject', summary: string) =>
    app.post(
      `/api/v1/admin/withdrawals/:id/${action}`,
      {
        config: { auth: 'operator' },
        schema: {
          tags: ['money'],
          summary,
          params: IdParams,
          headers: IdempotencyHeaders,
          response: { 200: Withdrawal, ...errors },
        },
      },
      async (request, reply) => {
        const actorId = requireSession(request).user.id
        return app.idempotency.run({
          request,
          reply,
          userId: actorId,
          work: async (tx) => {
            const input = { withdrawalId: request.params.id, actorId }
            const withdrawal =
              action === 'confirm'
                ? await payments.settleWithdrawal(tx, input)
                : await payments.rejectWithdrawal(tx, input)
            if (withdrawal.state === 'paid') await noticeWithdrawalPaid(app.notifications, tx, withdrawal)
            return {
              statusCode: 200,
              body: toWithdrawal(withdrawal),
              afterCommit: () =>
                tellOwner(withdrawal.userId, `withdrawal.${withdrawal.state}`, toWithdrawal(withdrawal)),
            }
          },
        })
      },
    )
  adminWithdrawal('confirm', 'Confirm that a withdrawal was paid out (operators): earnings reserve -> world')
  adminWithdrawal('reject', 'Reject a withdrawal (operators): the reserved money returns to earnings')

  listRoute({
    url: '/api/v1/admin/deposits',
    summary: 'Deposits of everyone, newest first, each with who asked (operators); `?state=pending`',
    operators: true,
    item: AdminDeposit,
    rows: repository.pageDeposits,
    toItem: toDeposit,
  })
  listRoute({
    url: '/api/v1/admin/withdrawals',
    summary: 'Withdrawals of everyone, newest first, each with who asked (operators); `?state=pending`',
    operators: true,
    item: AdminWithdrawal,
    rows: repository.pageWithdrawals,
    toItem: toWithdrawal,
  })
}
