// Auto-release: a durable deadline on the injectable clock that survives a restart, runs
// once even with two instances, and is stopped by a decision or a dispute.
import t from 'tap'
import { buildApp } from '../../app.js'
import { DAY, MINUTE } from '../../clock.js'
import { boundFixedContract } from '../../../test/fixtures/fixed-contract.js'
import { build, type TestApp } from '../../../test/helper.js'
import { balances, depositConfirmed, idem, makeOperator, verifyLedger } from '../../../test/money.js'

t.setTimeout(180_000)

async function submittedMilestone(ctx: TestApp) {
  const operator = await makeOperator(ctx)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const { contractId, milestoneIds } = await boundFixedContract(ctx, { client, freelancer, amounts: [50_000] })
  const milestoneId = milestoneIds[0]!
  await depositConfirmed(ctx, client, operator, 50_000)
  await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${milestoneId}/fund`,
    token: client.token,
    headers: idem(),
  })
  const submitted = await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${milestoneId}/submit`,
    token: freelancer.token,
    payload: { message: 'Done' },
  })
  if (submitted.statusCode !== 200) throw new Error(submitted.body)
  return { operator, client, freelancer, contractId, milestoneId }
}

t.test('14 days after a submission the milestone releases itself exactly once, across a restart', async (t) => {
  const ctx = await build(t)
  const { operator, client, freelancer, contractId, milestoneId } = await submittedMilestone(ctx)

  ctx.clock.advance(14 * DAY - MINUTE)
  await ctx.app.scheduler.runDue()
  t.equal((await balances(ctx, freelancer)).earnings, 0, 'a minute early nothing happens')
  t.equal(
    (await ctx.call({ method: 'GET', url: `/api/v1/milestones/${milestoneId}`, token: client.token })).json().state,
    'submitted',
  )

  // Restart: the first instance stops; a new one starts on the same database.
  await ctx.app.close()
  const restarted = await buildApp(ctx.config, { clock: ctx.clock, database: ctx.database })
  t.teardown(() => restarted.close())
  await restarted.ready()
  const second = {
    ...ctx,
    app: restarted,
    call: ((options) =>
      restarted.inject({
        ...options,
        headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      })) as TestApp['call'],
  }

  ctx.clock.advance(2 * MINUTE)
  t.ok((await restarted.scheduler.runDue()) >= 1, 'the deadline persisted and runs after the restart')
  t.equal(await restarted.scheduler.runDue(), 0, 'and only once')
  const milestone = (
    await second.call({ method: 'GET', url: `/api/v1/milestones/${milestoneId}`, token: client.token })
  ).json()
  t.match(milestone, { state: 'released', released: 50_000, held: 0, submissions: [{ outcome: 'auto_released' }] })
  t.same(await balances(second, freelancer), { available: 0, inEscrow: 0, earnings: 45_000, pendingWithdrawal: 0 })
  const invoices = (
    await second.call({ method: 'GET', url: `/api/v1/invoices?contractId=${contractId}`, token: freelancer.token })
  ).json().items
  t.equal(invoices.length, 1, 'one invoice')
  t.match(invoices[0].lines[0].description, /automatic release/)
  // (Sessions last 30 days: stay within them.)
  ctx.clock.advance(10 * DAY)
  await restarted.scheduler.runDue()
  t.equal((await balances(second, freelancer)).earnings, 45_000, 'never again')
  t.equal((await verifyLedger(second, operator)).ok, true)
})

t.test('two instances at the deadline release it once', async (t) => {
  const ctx = await build(t)
  const { freelancer, milestoneId, client } = await submittedMilestone(ctx)
  const other = await buildApp(ctx.config, { clock: ctx.clock, database: ctx.database })
  t.teardown(() => other.close())
  await other.ready()
  ctx.clock.advance(14 * DAY)
  const ran = await Promise.all([ctx.app.scheduler.runDue(), other.scheduler.runDue(), ctx.app.scheduler.runDue()])
  t.ok(ran.reduce((a, b) => a + b, 0) >= 1)
  t.equal((await balances(ctx, freelancer)).earnings, 45_000, 'released once')
  const milestone = (
    await ctx.call({ method: 'GET', url: `/api/v1/milestones/${milestoneId}`, token: client.token })
  ).json()
  t.equal(milestone.released, 50_000)
})

t.test('a client decision or a dispute before the deadline stops the auto-release', async (t) => {
  const ctx = await build(t)
  const { client, freelancer, milestoneId } = await submittedMilestone(ctx)
  ctx.clock.advance(3 * DAY)
  const opened = await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${milestoneId}/disputes`,
    token: client.token,
    payload: { reason: 'This is not what we agreed' },
  })
  t.equal(opened.statusCode, 201)
  ctx.clock.advance(4 * DAY)
  const answered = await ctx.call({
    method: 'POST',
    url: `/api/v1/disputes/${opened.json().id}/respond`,
    token: freelancer.token,
    headers: idem(),
    payload: { message: 'It is exactly that' },
  })
  t.equal(answered.statusCode, 200, 'answered in time: no default resolution')
  ctx.clock.advance(12 * DAY)
  await ctx.app.scheduler.runDue()
  const milestone = (
    await ctx.call({ method: 'GET', url: `/api/v1/milestones/${milestoneId}`, token: client.token })
  ).json()
  t.match(milestone, { state: 'disputed', held: 50_000, released: 0, autoReleaseAt: null }, 'the dispute froze it')
  t.equal((await balances(ctx, freelancer)).earnings, 0)

  // A change request stops the clock as well; a new submission starts a new one.
  const second = await submittedMilestone(ctx)
  await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${second.milestoneId}/request-changes`,
    token: second.client.token,
    payload: { message: 'Not yet' },
  })
  ctx.clock.advance(15 * DAY)
  await ctx.app.scheduler.runDue()
  t.equal(
    (
      await ctx.call({ method: 'GET', url: `/api/v1/milestones/${second.milestoneId}`, token: second.client.token })
    ).json().state,
    'changes_requested',
  )
  await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${second.milestoneId}/submit`,
    token: second.freelancer.token,
    payload: { message: 'Now' },
  })
  ctx.clock.advance(14 * DAY)
  await ctx.app.scheduler.runDue()
  t.equal(
    (
      await ctx.call({ method: 'GET', url: `/api/v1/milestones/${second.milestoneId}`, token: second.client.token })
    ).json().state,
    'released',
  )
  t.equal((await verifyLedger(ctx, await makeOperator(ctx, 'Later ops'))).ok, true)
})
