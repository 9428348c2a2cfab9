// Helpers for tests that move money: operators, idempotency keys, funded wallets.
import { randomUUID } from 'node:crypto'
import type { TestApp, TestUser } from './helper.js'

/** A fresh Idempotency-Key header. */
export const idem = (key: string = randomUUID()) => ({ 'idempotency-key': key })

/** An operator account, made the way `npm run admin:create` makes one, signed in. */
export async function makeOperator(ctx: TestApp, name = 'Ops'): Promise<TestUser> {
  const email = `ops.${randomUUID().slice(0, 8)}@example.com`
  const password = 'correct horse battery staple'
  const user = await ctx.app.accounts.createOperator({ email, password, name })
  const login = await ctx.call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
  if (login.statusCode !== 200) throw new Error(`operator login failed: ${login.body}`)
  return { id: user.id, token: login.json().token, email, password, name }
}

/** Asks for a deposit of `amount` into the user's wallet (pending until an operator confirms it); its id. */
export async function askDeposit(ctx: TestApp, user: TestUser, amount: number, currency = 'USD'): Promise<string> {
  const asked = await ctx.call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: user.token,
    headers: idem(),
    payload: { amount, currency },
  })
  if (asked.statusCode !== 201) throw new Error(`deposit failed: ${asked.statusCode} ${asked.body}`)
  return asked.json().id as string
}

/** Deposits `amount` into the user's wallet and has the operator confirm it. */
export async function depositConfirmed(
  ctx: TestApp,
  user: TestUser,
  operator: TestUser,
  amount: number,
  currency = 'USD',
): Promise<string> {
  const id = await askDeposit(ctx, user, amount, currency)
  const confirmed = await ctx.call({
    method: 'POST',
    url: `/api/v1/admin/deposits/${id}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  if (confirmed.statusCode !== 200) throw new Error(`confirm failed: ${confirmed.statusCode} ${confirmed.body}`)
  return id
}

/** The caller's balances in one currency (zeros when none). */
export async function balances(ctx: TestApp, user: TestUser, currency = 'USD') {
  const wallet = await ctx.call({ method: 'GET', url: '/api/v1/wallet', token: user.token })
  if (wallet.statusCode !== 200) throw new Error(`wallet failed: ${wallet.body}`)
  const row = (wallet.json().balances as Array<Record<string, number | string>>).find((b) => b.currency === currency)
  return {
    available: Number(row?.available ?? 0),
    inEscrow: Number(row?.inEscrow ?? 0),
    earnings: Number(row?.earnings ?? 0),
    pendingWithdrawal: Number(row?.pendingWithdrawal ?? 0),
  }
}

/** The operator's ledger verification; throws unless every check passed. */
export async function verifyLedger(ctx: TestApp, operator: TestUser) {
  const response = await ctx.call({ method: 'GET', url: '/api/v1/ledger/verify', token: operator.token })
  if (response.statusCode !== 200) throw new Error(`verify failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

/**
 * Where every unit of one currency is on a two-party instance: the client's wallet and
 * escrow, the freelancer's earnings and pending withdrawal, and what the ledger holds beyond
 * them all, which is the platform's fees. `ledgerOk` is the operator's ledger check.
 */
export async function moneyOf(
  ctx: TestApp,
  parties: { operator: TestUser; client: TestUser; freelancer: TestUser },
  currency = 'USD',
) {
  const client = await balances(ctx, parties.client, currency)
  const freelancer = await balances(ctx, parties.freelancer, currency)
  const ledger = await verifyLedger(ctx, parties.operator)
  const inside = Number(ledger.currencies.find((row: { currency: string }) => row.currency === currency)?.inside ?? 0)
  const withUsers = [...Object.values(client), ...Object.values(freelancer)].reduce((a, b) => a + b, 0)
  return {
    wallet: client.available,
    escrow: client.inEscrow,
    earnings: freelancer.earnings,
    withdrawing: freelancer.pendingWithdrawal,
    fees: inside - withUsers,
    ledgerOk: ledger.ok as boolean,
  }
}
