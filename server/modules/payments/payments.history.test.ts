import t from 'tap'
import { plannedContract } from '../../../test/fixtures/planned-contract.js'
import { parseCsv, releaseMilestone } from '../../../test/fixtures/invoices.js'
import { build, type TestApp, type TestUser } from '../../../test/helper.js'
import { depositConfirmed, idem, makeOperator } from '../../../test/money.js'

t.setTimeout(120_000)

interface Line {
  id: string
  description: string
  account: string
  amount: number
  currency: string
  kind: string
}

async function history(
  ctx: TestApp,
  user: TestUser,
  query = '',
): Promise<{ items: Line[]; nextCursor: string | null }> {
  const response = await ctx.call({ method: 'GET', url: `/api/v1/wallet/history${query}`, token: user.token })
  if (response.statusCode !== 200) throw new Error(`history: ${response.statusCode} ${response.body}`)
  return response.json()
}

async function wallet(ctx: TestApp, user: TestUser) {
  const response = await ctx.call({ method: 'GET', url: '/api/v1/wallet', token: user.token })
  return response.json().balances[0] as Record<string, number | string>
}

t.test('each side sees its own moves in words, paged, and as CSV', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Acme')
  const freelancer = await ctx.register('Fred')
  await depositConfirmed(ctx, client, operator, 100_000)
  const { milestoneIds } = await plannedContract(ctx, { client, freelancer, amounts: [30_000, 20_000] })
  // A minute between the steps: moves made in the same instant have no order a reader could check.
  const step = async (milestone: number, action: string, token: string, headers: Record<string, string>) => {
    ctx.clock.advance(60_000)
    const response = await ctx.call({
      method: 'POST',
      url: `/api/v1/milestones/${milestoneIds[milestone]}/${action}`,
      token,
      headers,
      payload: action === 'submit' ? { message: 'Done' } : {},
    })
    t.equal(response.statusCode, 200, `${action} milestone ${milestone + 1}`)
  }
  await step(0, 'fund', client.token, idem())
  await step(0, 'submit', freelancer.token, {})
  await step(0, 'approve', client.token, idem())
  await step(1, 'fund', client.token, idem())

  t.match(
    await wallet(ctx, freelancer),
    { currency: 'USD', earnings: 27_000, escrowForYou: 20_000, available: 0, inEscrow: 0 },
    "the freelancer's balances: earnings after the 10 % fee, and the funded milestone held for them",
  )
  t.match(await wallet(ctx, client), { available: 50_000, inEscrow: 20_000, escrowForYou: 0 })

  const mine = await history(ctx, freelancer)
  t.same(
    mine.items.map((l) => [l.description, l.account, l.amount, l.currency]),
    [['Released: Milestone 1, Acme', 'earnings', 27_000, 'USD']],
    'the freelancer sees the release, named with the milestone and the client',
  )
  t.equal(mine.nextCursor, null)

  const all = await history(ctx, client, '?limit=100')
  t.same(
    all.items.map((l) => [l.description, l.account, l.amount]),
    [
      ['Funded: Milestone 2, Fred', 'hold', 20_000],
      ['Funded: Milestone 2, Fred', 'wallet', -20_000],
      ['Released: Milestone 1, Fred', 'hold', -30_000],
      ['Funded: Milestone 1, Fred', 'hold', 30_000],
      ['Funded: Milestone 1, Fred', 'wallet', -30_000],
      ['Deposit received', 'wallet', 100_000],
    ],
    "the client's moves newest first: wallet and the escrow they funded",
  )

  // Pages of 2 walk the same lines once each, in the same order.
  const walked: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page = await history(ctx, client, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    walked.push(...page.items.map((l) => l.id))
    cursor = page.nextCursor
    pages++
  } while (cursor && pages < 10)
  t.equal(pages, 3)
  t.same(
    walked,
    all.items.map((l) => l.id),
    'paging neither skips nor repeats a line',
  )

  const csv = await ctx.call({ method: 'GET', url: '/api/v1/wallet/history.csv', token: client.token })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  t.match(csv.headers['content-disposition'], /attachment; filename="workroom-history.csv"/)
  const rows = parseCsv(csv.body)
  t.same(rows[0], ['date', 'description', 'account', 'amount', 'currency', 'amount_minor', 'kind', 'transfer_id'])
  t.equal(rows.length, 7, 'a header and the six lines')
  t.same(
    rows.slice(1).map((r) => [r[1], r[2], r[3], r[4], r[5]]),
    [
      ['Funded: Milestone 2, Fred', 'Escrow', '200.00', 'USD', '20000'],
      ['Funded: Milestone 2, Fred', 'Wallet', '-200.00', 'USD', '-20000'],
      ['Released: Milestone 1, Fred', 'Escrow', '-300.00', 'USD', '-30000'],
      ['Funded: Milestone 1, Fred', 'Escrow', '300.00', 'USD', '30000'],
      ['Funded: Milestone 1, Fred', 'Wallet', '-300.00', 'USD', '-30000'],
      ['Deposit received', 'Wallet', '1000.00', 'USD', '100000'],
    ],
  )

  const eur = await history(ctx, client, '?currency=EUR')
  t.same(eur.items, [], 'a currency filter with no moves is an empty list')
})

t.test('a withdrawal shows on both balances it moves', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Acme')
  const freelancer = await ctx.register('Fred')
  await depositConfirmed(ctx, client, operator, 10_000)
  const { milestoneIds } = await plannedContract(ctx, { client, freelancer, amounts: [10_000] })
  await releaseMilestone(ctx, client, freelancer, milestoneIds[0]!)
  ctx.clock.advance(60_000)
  const asked = await ctx.call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload: { amount: 5_000, currency: 'USD' },
  })
  t.equal(asked.statusCode, 201)
  const lines = (await history(ctx, freelancer)).items
  t.same(
    lines.slice(0, 2).map((l) => [l.description, l.account, l.amount]),
    [
      ['Withdrawal reserved', 'withdrawal_pending', 5_000],
      ['Withdrawal requested', 'earnings', -5_000],
    ],
  )
})

t.test('only your own history: no one else sees it, and nothing names another user', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Acme')
  const stranger = await ctx.register('Sam')
  await depositConfirmed(ctx, client, operator, 10_000)

  t.same((await history(ctx, stranger)).items, [], "a stranger's history holds none of the client's moves")
  t.same((await history(ctx, operator)).items, [], "an operator's own history is theirs too")
  const named = await ctx.call({
    method: 'GET',
    url: `/api/v1/wallet/history?userId=${client.id}`,
    token: stranger.token,
  })
  t.equal(named.statusCode, 400, 'asking for another user is refused')
  const anonymous = await ctx.call({ method: 'GET', url: '/api/v1/wallet/history' })
  t.equal(anonymous.statusCode, 401)
  const anonymousCsv = await ctx.call({ method: 'GET', url: '/api/v1/wallet/history.csv' })
  t.equal(anonymousCsv.statusCode, 401)

  const badCursor = await ctx.call({ method: 'GET', url: '/api/v1/wallet/history?cursor=abc', token: client.token })
  t.equal(badCursor.statusCode, 400)
  t.equal(badCursor.json().code, 'request.bad_cursor')
  const badCurrency = await ctx.call({ method: 'GET', url: '/api/v1/wallet/history?currency=BTC', token: client.token })
  t.equal(badCurrency.statusCode, 400)
  const tooMany = await ctx.call({ method: 'GET', url: '/api/v1/wallet/history?limit=101', token: client.token })
  t.equal(tooMany.statusCode, 400)
})
