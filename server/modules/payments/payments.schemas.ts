import { Type, type Static } from '@fastify/type-provider-typebox'
import { CurrencyCode } from '../../http/schemas.js'
import { AmountSchema, MoneySchema, toJsonAmount } from '../ledger/index.js'
import type { DepositRow, WithdrawalRow } from './payments.repository.js'
import type { WalletView } from './payments.service.js'

const ProviderName = Type.String({ pattern: '^[a-z0-9_-]{1,32}$', description: 'Payment provider (default `manual`)' })

export const DepositBody = Type.Object(
  { amount: AmountSchema, currency: CurrencyCode, provider: Type.Optional(ProviderName) },
  { additionalProperties: false },
)
export const WithdrawalBody = Type.Object(
  {
    amount: AmountSchema,
    currency: CurrencyCode,
    destination: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Where to pay (IBAN, payout account...)' }),
    ),
    provider: Type.Optional(ProviderName),
  },
  { additionalProperties: false },
)

export const Deposit = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  amount: MoneySchema,
  currency: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('cancelled')]),
  provider: Type.String(),
  providerRef: Type.Union([Type.String(), Type.Null()]),
  instructions: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type DepositDto = Static<typeof Deposit>

export const Withdrawal = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  amount: MoneySchema,
  currency: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('paid'), Type.Literal('rejected')]),
  provider: Type.String(),
  providerRef: Type.Union([Type.String(), Type.Null()]),
  destination: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type WithdrawalDto = Static<typeof Withdrawal>

/** Who asked for a deposit or withdrawal, as the operators' lists show them. */
const Requester = Type.Object(
  { id: Type.String(), name: Type.String(), email: Type.String() },
  { description: 'The account that asked (operators see its name and email)' },
)
export type RequesterDto = Static<typeof Requester>
export const AdminDeposit = Type.Object({ ...Deposit.properties, user: Requester })
export const AdminWithdrawal = Type.Object({ ...Withdrawal.properties, user: Requester })

export const Wallet = Type.Object({
  balances: Type.Array(
    Type.Object({
      currency: Type.String(),
      available: Type.Integer({ description: 'In the wallet, free to fund milestones' }),
      inEscrow: Type.Integer({ description: "Held for this client's funded milestones" }),
      escrowForYou: Type.Integer({
        description: 'Held in escrow for this freelancer: funded milestones of their contracts, not yet released',
      }),
      earnings: Type.Integer({ description: 'Released to this freelancer, free to withdraw' }),
      pendingWithdrawal: Type.Integer({ description: 'Reserved by withdrawals not yet paid out' }),
    }),
  ),
  pendingDeposits: Type.Array(Deposit),
  pendingWithdrawals: Type.Array(Withdrawal),
})

export const StateQuery = Type.Object({
  state: Type.Optional(Type.String({ pattern: '^[a-z_]{1,16}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
})

export function toDeposit(row: DepositRow): DepositDto {
  return {
    id: row.id,
    userId: row.userId,
    amount: toJsonAmount(row.amount),
    currency: row.currency,
    state: row.state as DepositDto['state'],
    provider: row.provider,
    providerRef: row.providerRef,
    instructions: (row.instructions ?? {}) as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  }
}

export function toWithdrawal(row: WithdrawalRow): WithdrawalDto {
  return {
    id: row.id,
    userId: row.userId,
    amount: toJsonAmount(row.amount),
    currency: row.currency,
    state: row.state as WithdrawalDto['state'],
    provider: row.provider,
    providerRef: row.providerRef,
    destination: row.destination,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  }
}

export function toWallet(view: WalletView): Static<typeof Wallet> {
  return {
    balances: view.balances.map((b) => ({
      currency: b.currency,
      available: toJsonAmount(b.available),
      inEscrow: toJsonAmount(b.inEscrow),
      escrowForYou: toJsonAmount(b.escrowForYou),
      earnings: toJsonAmount(b.earnings),
      pendingWithdrawal: toJsonAmount(b.pendingWithdrawal),
    })),
    pendingDeposits: view.pendingDeposits.map(toDeposit),
    pendingWithdrawals: view.pendingWithdrawals.map(toWithdrawal),
  }
}
