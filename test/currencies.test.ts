import t from 'tap'
import { CURRENCIES } from '../common/money.js'
import { build } from './helper.js'
import { depositConfirmed, idem, makeOperator } from './money.js'

t.setTimeout(60_000)

// One list of currencies (common/money.ts) for every amount a request names: anything else
// is a 400 that names the field, and nothing is created.

const job = {
  title: 'Build a landing page',
  description: 'A page',
  skills: ['css'],
  arrangement: 'fixed',
  budgetMin: 50_000,
  budgetMax: 100_000,
  visibility: 'public',
  proposalDeadline: '2099-12-31T00:00:00Z',
}

t.test('a BTC deposit is refused with 400 naming currency, and nothing is created', async (t) => {
  const ctx = await build(t)
  const user = await ctx.register('Cleo')
  const count = async (table: string) =>
    (await ctx.database.query(`select count(*)::int as n from ${table}`, []))[0]!.n as number

  for (const currency of ['BTC', 'ZZZ', 'usd', '']) {
    const deposit = await ctx.call({
      method: 'POST',
      url: '/api/v1/wallet/deposits',
      token: user.token,
      headers: idem(),
      payload: { amount: 10_000, currency },
    })
    t.equal(deposit.statusCode, 400, `deposit in "${currency}"`)
    t.equal(deposit.json().code, 'request.invalid')
    t.equal(deposit.json().field, 'currency')
    t.match(deposit.json().message, /^Currency must be one of: USD, /, 'the field named in words')
  }
  t.equal(await count('deposits'), 0, 'no deposit was recorded')
  const wallet = await ctx.call({ method: 'GET', url: '/api/v1/wallet', token: user.token })
  t.same(
    wallet.json().balances.map((b: { currency: string }) => b.currency),
    [],
    'no balance in a strange currency',
  )

  const operator = await makeOperator(ctx)
  await depositConfirmed(ctx, user, operator, 10_000, 'EUR')
  const withdrawal = await ctx.call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: user.token,
    headers: idem(),
    payload: { amount: 1_000, currency: 'BTC', destination: 'DE89 3704 0044 0532 0130 00' },
  })
  t.equal(withdrawal.statusCode, 400, 'a BTC withdrawal')
  t.equal(withdrawal.json().field, 'currency')
  t.equal(await count('withdrawals'), 0, 'no withdrawal was recorded')
})

t.test('jobs, profiles and invoice filters take the same list', async (t) => {
  const ctx = await build(t)
  const user = await ctx.register('Cleo')
  const refused = [
    await ctx.call({ method: 'POST', url: '/api/v1/jobs', token: user.token, payload: { ...job, currency: 'BTC' } }),
    await ctx.call({ method: 'PATCH', url: '/api/v1/me', token: user.token, payload: { rateCurrency: 'XAU' } }),
    await ctx.call({ method: 'GET', url: '/api/v1/invoices?currency=ZZZ', token: user.token }),
  ]
  t.same(
    refused.map((r) => [r.statusCode, r.json().field]),
    [
      [400, 'currency'],
      [400, 'rateCurrency'],
      [400, 'currency'],
    ],
  )
  t.equal((await ctx.database.query('select count(*)::int as n from jobs', []))[0]!.n, 0, 'no job was created')

  for (const currency of CURRENCIES) {
    const created = await ctx.call({
      method: 'POST',
      url: '/api/v1/jobs',
      token: user.token,
      payload: { ...job, currency },
    })
    if (created.statusCode !== 201) t.fail(`a job in ${currency}: ${created.statusCode}`)
  }
  const profile = await ctx.call({
    method: 'PATCH',
    url: '/api/v1/me',
    token: user.token,
    payload: { rateCurrency: 'JPY' },
  })
  t.equal(profile.statusCode, 200, 'every listed currency is accepted')
})
