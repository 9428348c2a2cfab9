import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody } from '../../http/schemas.js'
import { MAX_LEDGER_AMOUNT } from '../../../db/schema/index.js'
import type { LedgerService } from './ledger.service.js'

/** Verification figures are exact: a JSON integer, or a decimal string if one ever passes 2^53 (a broken ledger). */
const Figure = Type.Union([Type.Integer(), Type.String({ pattern: '^-?[0-9]+$' })])
const figure = (value: bigint): number | string =>
  value <= MAX_LEDGER_AMOUNT && value >= -MAX_LEDGER_AMOUNT ? Number(value) : value.toString()

const LedgerReportBody = Type.Object({
  ok: Type.Boolean({ description: 'Every check passed' }),
  checkedAt: Type.String({ format: 'date-time' }),
  currencies: Type.Array(
    Type.Object({
      currency: Type.String(),
      balanceSum: Figure,
      entrySum: Figure,
      inside: Figure,
      accounts: Type.Integer(),
      transfers: Type.Integer(),
    }),
    {
      description:
        'Per currency: the sum of all balances and of all entries (both must be 0), and the money inside Workroom',
    },
  ),
  outOfBounds: Type.Array(
    Type.Object({
      accountId: Type.String(),
      kind: Type.String(),
      currency: Type.String(),
      ownerId: Type.Union([Type.String(), Type.Null()]),
      balance: Figure,
    }),
    { description: 'Wallets, holds, earnings or fees below 0 (never expected)' },
  ),
  mismatched: Type.Array(
    Type.Object({
      accountId: Type.String(),
      kind: Type.String(),
      currency: Type.String(),
      balance: Figure,
      entrySum: Figure,
    }),
    { description: 'Accounts whose balance differs from the sum of their entries' },
  ),
  unbalancedTransfers: Type.Array(Type.Object({ transferId: Type.String(), sum: Figure, legs: Type.Integer() })),
  holdsOnEndedContracts: Type.Integer({
    description: 'Escrow holds still carrying money on contracts that are over (ended, declined, expired): must be 0',
  }),
  endedContractHolds: Type.Array(
    Type.Object({
      accountId: Type.String(),
      currency: Type.String(),
      balance: Figure,
      milestoneId: Type.String(),
      contractId: Type.String(),
    }),
    { description: 'The first of those holds' },
  ),
})

export const ledgerRoutes: FastifyPluginAsyncTypebox<{ ledger: LedgerService; now: () => Date }> = async (
  app,
  { ledger, now },
) => {
  app.get(
    '/api/v1/ledger/verify',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['money'],
        summary: 'Verify the whole ledger (operators): sums per currency and any account out of bounds',
        response: { 200: LedgerReportBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async () => {
      const report = await ledger.verify(app.db)
      return {
        ok: report.ok,
        checkedAt: now().toISOString(),
        currencies: report.currencies.map((c) => ({
          ...c,
          balanceSum: figure(c.balanceSum),
          entrySum: figure(c.entrySum),
          inside: figure(c.inside),
        })),
        outOfBounds: report.outOfBounds.map((a) => ({ ...a, balance: figure(a.balance) })),
        mismatched: report.mismatched.map((a) => ({ ...a, balance: figure(a.balance), entrySum: figure(a.entrySum) })),
        unbalancedTransfers: report.unbalancedTransfers.map((t) => ({ ...t, sum: figure(t.sum) })),
        holdsOnEndedContracts: report.holdsOnEndedContracts,
        endedContractHolds: report.endedContractHolds.map((h) => ({ ...h, balance: figure(h.balance) })),
      }
    },
  )
}
