// What a person reads when the server refuses something about money: every amount in major
// units with the currency's sign (the one formatter of common/money.ts), never in minor
// units, and the field the refusal is about named in words.
import t from 'tap'
import { boundFixedContract } from './fixtures/fixed-contract.js'
import { build, type TestApp, type TestUser } from './helper.js'
import { fixedJob, postJob } from './marketplace.js'
import { depositConfirmed, idem, makeOperator } from './money.js'

t.setTimeout(120_000)

const post = (ctx: TestApp, user: TestUser, url: string, payload: Record<string, unknown> = {}, key = true) =>
  ctx.call({ method: 'POST', url, token: user.token, headers: key ? idem() : {}, payload })

t.test('refusals about money name the amounts in dollars, yen...', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const usd = await boundFixedContract(ctx, { client, freelancer, amounts: [10_000, 20_000] })
  const milestone = `/api/v1/milestones/${usd.milestoneIds[0]}`

  await depositConfirmed(ctx, client, operator, 5_000)
  const broke = await post(ctx, client, `${milestone}/fund`)
  t.equal(broke.statusCode, 409)
  t.match(broke.json(), {
    code: 'ledger.insufficient_funds',
    message: 'Not enough money: $100.00 is needed and the wallet has $50.00',
  })

  await depositConfirmed(ctx, client, operator, 100_000)
  t.equal((await post(ctx, client, `${milestone}/fund`)).statusCode, 200)
  t.equal((await post(ctx, freelancer, `${milestone}/submit`, { message: 'Done' }, false)).statusCode, 200)
  const tooMuch = await post(ctx, client, `${milestone}/approve`, { amount: 15_000 })
  t.equal(tooMuch.statusCode, 409)
  t.match(tooMuch.json(), {
    code: 'milestones.amount_exceeds_hold',
    message: 'Release amount $150.00 is more than the $100.00 left in escrow',
    field: 'amount',
    errors: [{ field: 'amount', label: 'Amount', message: 'must be at most the $100.00 left in escrow' }],
  })
  t.equal((await post(ctx, client, `${milestone}/approve`)).statusCode, 200, 'the whole hold is released')

  // $100.00 less the 10 % fee is $90.00 of earnings.
  const withdrawal = await post(ctx, freelancer, '/api/v1/wallet/withdrawals', { amount: 10_000, currency: 'USD' })
  t.equal(withdrawal.statusCode, 409)
  t.match(withdrawal.json(), {
    code: 'payments.insufficient_earnings',
    message: 'A withdrawal of $100.00 is more than your $90.00 of available earnings',
    errors: [{ field: 'amount', message: 'must be at most your available earnings, $90.00' }],
  })

  // Yen have no minor digits: ¥5,000 is 5000 units, not ¥50.00.
  const jpy = await boundFixedContract(ctx, { client, freelancer, amounts: [5_000], currency: 'JPY' })
  await depositConfirmed(ctx, client, operator, 5_000, 'JPY')
  const held = `/api/v1/milestones/${jpy.milestoneIds[0]}`
  t.equal((await post(ctx, client, `${held}/fund`)).statusCode, 200)
  const split = await post(ctx, freelancer, `${held}/disputes`, { reason: 'Not paid', freelancerAmount: 6_000 }, false)
  t.equal(split.statusCode, 400)
  t.match(split.json(), {
    code: 'disputes.bad_split',
    message: "The freelancer's share ¥6,000 is more than the ¥5,000 held in escrow",
    field: 'freelancerAmount',
    errors: [
      {
        field: 'freelancerAmount',
        label: "Freelancer's share",
        message: 'must be from ¥0 to the ¥5,000 held in escrow',
      },
    ],
  })
})

t.test('a plan or a budget that does not add up says so in the currency', async (t) => {
  const ctx = await build(t)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const inverted = await ctx.call({
    method: 'POST',
    url: '/api/v1/jobs',
    token: client.token,
    payload: { ...fixedJob, currency: 'EUR', budgetMin: 80_000, budgetMax: 50_000 },
  })
  t.equal(inverted.statusCode, 400)
  t.match(inverted.json(), {
    code: 'jobs.range_inverted',
    message: 'Maximum budget must be at least the minimum, €800.00',
    field: 'budgetMax',
  })

  const job = await postJob(ctx.call, client.token)
  const plan = await ctx.call({
    method: 'POST',
    url: `/api/v1/jobs/${job.id}/proposals`,
    token: freelancer.token,
    payload: {
      coverLetter: 'Two steps.',
      bidAmount: 80_000,
      estimatedDays: 10,
      milestones: [
        { title: 'Design', amount: 30_000 },
        { title: 'Build', amount: 40_000 },
      ],
    },
  })
  t.equal(plan.statusCode, 400)
  t.match(plan.json(), {
    code: 'proposals.milestones_total',
    message: 'Milestones must add up to the bid $800.00 (they add up to $700.00)',
    errors: [{ field: 'milestones', label: 'Milestones' }],
  })
  t.notMatch(plan.body, /70000|80000/, 'no amount in cents')
})
