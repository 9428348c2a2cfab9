// The operators' lists of deposits and withdrawals to decide: each names the person who asked
// (name and email), so nobody has to look up an account id; the owner's own lists stay as they were.
import t from 'tap'
import { build } from '../../../test/helper.js'
import { depositConfirmed, idem, makeOperator } from '../../../test/money.js'
import { boundFixedContract } from '../../../test/fixtures/fixed-contract.js'

t.setTimeout(120_000)

t.test('pending deposits and withdrawals name who asked, for operators', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const [client, freelancer] = [await ctx.register('Cleo Client'), await ctx.register('Fred Lance')]
  const asked = await ctx.call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem(),
    payload: { amount: 25_000, currency: 'EUR' },
  })
  t.equal(asked.statusCode, 201)

  // Earnings to withdraw: a released milestone.
  const { milestoneIds } = await boundFixedContract(ctx, { client, freelancer, amounts: [10_000] })
  await depositConfirmed(ctx, client, operator, 10_000)
  for (const [action, token, headers] of [
    ['fund', client.token, idem()],
    ['submit', freelancer.token, {}],
    ['approve', client.token, idem()],
  ] as const) {
    const answer = await ctx.call({
      method: 'POST',
      url: `/api/v1/milestones/${milestoneIds[0]}/${action}`,
      token,
      headers,
      payload: action === 'submit' ? { message: 'Done' } : {},
    })
    t.equal(answer.statusCode, 200, action)
  }
  const withdrawal = await ctx.call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload: { amount: 9_000, currency: 'USD', destination: 'IBAN DE00 1234' },
  })
  t.equal(withdrawal.statusCode, 201)

  const deposits = await ctx.call({
    method: 'GET',
    url: '/api/v1/admin/deposits?state=pending',
    token: operator.token,
  })
  t.equal(deposits.statusCode, 200)
  t.match(deposits.json().items, [
    { id: asked.json().id, userId: client.id, user: { id: client.id, name: 'Cleo Client', email: client.email } },
  ])
  t.equal(deposits.json().items.length, 1, 'only the pending one')

  const withdrawals = await ctx.call({
    method: 'GET',
    url: '/api/v1/admin/withdrawals?state=pending',
    token: operator.token,
  })
  t.match(withdrawals.json().items, [
    {
      id: withdrawal.json().id,
      userId: freelancer.id,
      user: { id: freelancer.id, name: 'Fred Lance', email: freelancer.email },
    },
  ])

  const own = await ctx.call({ method: 'GET', url: '/api/v1/wallet/deposits', token: client.token })
  t.equal(own.statusCode, 200)
  t.notOk('user' in own.json().items[0], "one's own list does not repeat one's own name")
  const refused = await ctx.call({ method: 'GET', url: '/api/v1/admin/deposits', token: client.token })
  t.equal(refused.statusCode, 403, 'the lists with names and emails are for operators')
})
