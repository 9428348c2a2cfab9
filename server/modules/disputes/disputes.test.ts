import { eq } from 'drizzle-orm'
import t from 'tap'
import { activityEntriesTable } from '../../../db/schema/index.js'
import { DAY } from '../../clock.js'
import { boundFixedContract } from '../../../test/fixtures/fixed-contract.js'
import { build, type TestApp } from '../../../test/helper.js'
import { balances, depositConfirmed, idem, makeOperator, verifyLedger } from '../../../test/money.js'

t.setTimeout(180_000)

async function fundedMilestones(ctx: TestApp, amounts: number[]) {
  const operator = await makeOperator(ctx)
  const [client, freelancer, stranger] = [
    await ctx.register('Cleo'),
    await ctx.register('Fred'),
    await ctx.register('Stan'),
  ]
  const { milestoneIds, workroomId } = await boundFixedContract(ctx, { client, freelancer, amounts })
  await depositConfirmed(
    ctx,
    client,
    operator,
    amounts.reduce((a, b) => a + b, 0),
  )
  for (const id of milestoneIds)
    await ctx.call({ method: 'POST', url: `/api/v1/milestones/${id}/fund`, token: client.token, headers: idem() })
  return { operator, client, freelancer, stranger, milestoneIds, workroomId }
}

t.test('the parties settle on the same split: the money moves once, the milestone ends', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const { client, freelancer, stranger, milestoneIds, operator, workroomId } = await fundedMilestones(ctx, [10_000])
  const m = milestoneIds[0]!
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/milestones/${m}/disputes`,
        token: stranger.token,
        payload: { reason: 'x' },
      })
    ).statusCode,
    404,
  )
  const opened = await call({
    method: 'POST',
    url: `/api/v1/milestones/${m}/disputes`,
    token: freelancer.token,
    payload: { reason: 'The client went silent', freelancerAmount: 9_000 },
  })
  t.equal(opened.statusCode, 201)
  const dispute = opened.json()
  t.match(dispute, {
    state: 'open',
    openerRole: 'freelancer',
    heldAmount: 10_000,
    freelancerAccepts: 9_000,
    clientAccepts: null,
  })
  t.equal(dispute.responseDueAt, new Date(ctx.clock.now().getTime() + 5 * DAY).toISOString())
  const second = await call({
    method: 'POST',
    url: `/api/v1/milestones/${m}/disputes`,
    token: client.token,
    payload: { reason: 'me too' },
  })
  t.equal(second.statusCode, 409, 'one dispute at a time')
  for (const [action, token] of [
    ['approve', client.token],
    ['refund', freelancer.token],
  ] as const) {
    const frozen = await call({ method: 'POST', url: `/api/v1/milestones/${m}/${action}`, token, headers: idem() })
    t.equal(frozen.statusCode, 409, `${action} is frozen during the dispute`)
  }
  t.equal((await call({ method: 'GET', url: `/api/v1/disputes/${dispute.id}`, token: stranger.token })).statusCode, 404)
  const own = await call({
    method: 'POST',
    url: `/api/v1/disputes/${dispute.id}/respond`,
    token: freelancer.token,
    headers: idem(),
    payload: { message: 'me' },
  })
  t.equal(own.statusCode, 403, 'the opener does not answer their own dispute')

  const counter = await call({
    method: 'POST',
    url: `/api/v1/disputes/${dispute.id}/respond`,
    token: client.token,
    headers: idem(),
    payload: { message: 'Half of it was done', freelancerAmount: 5_000 },
  })
  t.equal(counter.statusCode, 200)
  t.match(counter.json(), { state: 'answered', clientAccepts: 5_000, freelancerAccepts: 9_000 })
  const bad = await call({
    method: 'POST',
    url: `/api/v1/disputes/${dispute.id}/settle`,
    token: freelancer.token,
    headers: idem(),
    payload: { freelancerAmount: 10_001 },
  })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'disputes.bad_split')
  const settled = await call({
    method: 'POST',
    url: `/api/v1/disputes/${dispute.id}/settle`,
    token: freelancer.token,
    headers: idem(),
    payload: { freelancerAmount: 5_000 },
  })
  t.equal(settled.statusCode, 200)
  t.match(settled.json(), { state: 'resolved', resolution: 'settled', freelancerAmount: 5_000 })
  t.same(
    settled.json().messages.map((x: { kind: string }) => x.kind),
    ['opened', 'response', 'settle', 'settle'],
  )
  t.same(
    await balances(ctx, freelancer),
    { available: 0, inEscrow: 0, earnings: 4_500, pendingWithdrawal: 0 },
    '5000 less the 10% fee',
  )
  t.same(
    await balances(ctx, client),
    { available: 5_000, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 },
    'the rest back in the wallet',
  )
  t.match((await call({ method: 'GET', url: `/api/v1/milestones/${m}`, token: client.token })).json(), {
    state: 'released',
    held: 0,
    released: 5_000,
    refunded: 5_000,
  })
  const late = await call({
    method: 'POST',
    url: `/api/v1/disputes/${dispute.id}/settle`,
    token: client.token,
    headers: idem(),
    payload: { freelancerAmount: 5_000 },
  })
  t.equal(late.statusCode, 409, 'a resolved dispute stays resolved')
  const types = (
    await ctx.app.db.select().from(activityEntriesTable).where(eq(activityEntriesTable.workroomId, workroomId))
  ).map((a) => a.type)
  t.same(
    types.filter((x) => x.startsWith('dispute.')),
    ['dispute.opened', 'dispute.answered', 'dispute.split_accepted', 'dispute.resolved'],
    'every step is in the activity log',
  )
  t.equal((await verifyLedger(ctx, operator)).ok, true)
})

t.test('escalated to an operator, whose decision moves the money', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const { client, freelancer, milestoneIds, operator } = await fundedMilestones(ctx, [20_000])
  const m = milestoneIds[0]!
  await call({
    method: 'POST',
    url: `/api/v1/milestones/${m}/submit`,
    token: freelancer.token,
    payload: { message: 'done' },
  })
  const opened = (
    await call({
      method: 'POST',
      url: `/api/v1/milestones/${m}/disputes`,
      token: client.token,
      payload: { reason: 'Broken build' },
    })
  ).json()
  t.equal(opened.clientAccepts, 0, "the client's default split refunds everything")
  const escalated = await call({
    method: 'POST',
    url: `/api/v1/disputes/${opened.id}/escalate`,
    token: freelancer.token,
    payload: { message: 'Please look at it' },
  })
  t.equal(escalated.statusCode, 200)
  t.equal(escalated.json().state, 'escalated')
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/admin/disputes/${opened.id}/decide`,
        token: client.token,
        headers: idem(),
        payload: { freelancerAmount: 0, note: 'mine' },
      })
    ).statusCode,
    403,
  )
  const queue = await call({ method: 'GET', url: '/api/v1/admin/disputes?state=escalated', token: operator.token })
  t.same(
    queue.json().items.map((d: { id: string }) => d.id),
    [opened.id],
  )
  const decided = await call({
    method: 'POST',
    url: `/api/v1/admin/disputes/${opened.id}/decide`,
    token: operator.token,
    headers: idem(),
    payload: { freelancerAmount: 15_001, note: 'Mostly delivered' },
  })
  t.equal(decided.statusCode, 200)
  t.match(decided.json(), {
    state: 'resolved',
    resolution: 'decided',
    freelancerAmount: 15_001,
    decisionNote: 'Mostly delivered',
  })
  t.equal((await balances(ctx, freelancer)).earnings, 15_001 - 1_500, 'fee = floor(1500.1)')
  t.equal((await balances(ctx, client)).available, 4_999)
  ctx.clock.advance(20 * DAY)
  await ctx.app.scheduler.runDue()
  t.equal((await balances(ctx, freelancer)).earnings, 13_501, 'the old auto-release deadline does nothing')
  t.equal((await verifyLedger(ctx, operator)).ok, true)
})

t.test('no answer within 5 days resolves the dispute for the party who opened it', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const { client, freelancer, milestoneIds, operator } = await fundedMilestones(ctx, [7_000, 3_000])
  const byClient = (
    await call({
      method: 'POST',
      url: `/api/v1/milestones/${milestoneIds[0]}/disputes`,
      token: client.token,
      payload: { reason: 'Nothing delivered' },
    })
  ).json()
  const byFreelancer = (
    await call({
      method: 'POST',
      url: `/api/v1/milestones/${milestoneIds[1]}/disputes`,
      token: freelancer.token,
      payload: { reason: 'Delivered, no answer' },
    })
  ).json()
  ctx.clock.advance(5 * DAY - 1000)
  await ctx.app.scheduler.runDue()
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/disputes/${byClient.id}`, token: client.token })).json().state,
    'open',
    'not yet',
  )
  ctx.clock.advance(2000)
  await ctx.app.scheduler.runDue()
  t.match((await call({ method: 'GET', url: `/api/v1/disputes/${byClient.id}`, token: client.token })).json(), {
    state: 'resolved',
    resolution: 'lapsed',
    freelancerAmount: 0,
  })
  t.match((await call({ method: 'GET', url: `/api/v1/disputes/${byFreelancer.id}`, token: freelancer.token })).json(), {
    state: 'resolved',
    resolution: 'lapsed',
    freelancerAmount: 3_000,
  })
  t.equal((await balances(ctx, client)).available, 7_000, 'the client who opened got the refund')
  t.equal((await balances(ctx, freelancer)).earnings, 2_700, 'the freelancer who opened got the release')
  const late = await call({
    method: 'POST',
    url: `/api/v1/disputes/${byClient.id}/respond`,
    token: freelancer.token,
    headers: idem(),
    payload: { message: 'sorry, late' },
  })
  t.equal(late.statusCode, 409)
  t.equal((await verifyLedger(ctx, operator)).ok, true)
})

t.test("a dispute carries its contract's currency, for the operator deciding it", async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const { milestoneIds } = await boundFixedContract(ctx, { client, freelancer, amounts: [5_000], currency: 'JPY' })
  await depositConfirmed(ctx, client, operator, 5_000, 'JPY')
  const m = milestoneIds[0]!
  await ctx.call({ method: 'POST', url: `/api/v1/milestones/${m}/fund`, token: client.token, headers: idem() })
  const opened = await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${m}/disputes`,
    token: freelancer.token,
    payload: { reason: 'Half of it was done', freelancerAmount: 2_500 },
  })
  t.equal(opened.statusCode, 201)
  t.match(opened.json(), { heldAmount: 5_000, currency: 'JPY' }, '¥5,000 held, in yen')
  const id = opened.json().id as string
  const one = await ctx.call({ method: 'GET', url: `/api/v1/disputes/${id}`, token: client.token })
  t.equal(one.json().currency, 'JPY')
  const ofMilestone = await ctx.call({ method: 'GET', url: `/api/v1/milestones/${m}/disputes`, token: client.token })
  t.equal(ofMilestone.json().items[0].currency, 'JPY')
  await ctx.call({ method: 'POST', url: `/api/v1/disputes/${id}/escalate`, token: client.token, payload: {} })
  const listed = await ctx.call({ method: 'GET', url: '/api/v1/admin/disputes?state=escalated', token: operator.token })
  t.match(listed.json().items, [{ id, currency: 'JPY', heldAmount: 5_000 }], "the operator's list says the currency")
  const decided = await ctx.call({
    method: 'POST',
    url: `/api/v1/admin/disputes/${id}/decide`,
    token: operator.token,
    headers: idem(),
    payload: { freelancerAmount: 3_000, note: 'Most of it was delivered' },
  })
  t.equal(decided.statusCode, 200)
  t.match(decided.json(), { state: 'resolved', freelancerAmount: 3_000, currency: 'JPY' })
})
