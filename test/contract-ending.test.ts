// Ending a fixed-price contract while money is in escrow: the contract is `ending`, each
// hold shows its rule and deadline, the deadlines move the money (also across a restart),
// a dispute stops the end-window refund, and the parties can settle everything at once.
import t from 'tap'
import { DAY, MINUTE } from '../server/clock.js'
import { plannedContract } from './fixtures/planned-contract.js'
import { build, type TestApp, type TestUser } from './helper.js'
import { balances, depositConfirmed, idem, makeOperator, verifyLedger } from './money.js'

t.setTimeout(240_000)

interface Hold {
  milestoneId: string
  title: string
  amount: number
  held: number
  state: string
  rule: string
  deadline: string | null
  disputeId: string | null
}

async function expectStatus(ctx: TestApp, status: number, options: Parameters<TestApp['call']>[0]) {
  const response = await ctx.call(options)
  if (response.statusCode !== status)
    throw new Error(`${options.method} ${options.url}: expected ${status}, got ${response.statusCode} ${response.body}`)
  return response.json()
}

/**
 * Three milestones: the first funded and submitted, the second funded only, the third never
 * funded. Two days after the submission, nothing else happened.
 */
async function contractWithHolds(ctx: TestApp) {
  const operator = await makeOperator(ctx)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const { contractId, workroomId, milestoneIds } = await plannedContract(ctx, {
    client,
    freelancer,
    amounts: [30_000, 20_000, 10_000],
  })
  const [submitted, funded, pending] = milestoneIds as [string, string, string]
  await depositConfirmed(ctx, client, operator, 50_000)
  for (const id of [submitted, funded])
    await expectStatus(ctx, 200, {
      method: 'POST',
      url: `/api/v1/milestones/${id}/fund`,
      token: client.token,
      headers: idem(),
    })
  const submittedAt = ctx.clock.now()
  await expectStatus(ctx, 200, {
    method: 'POST',
    url: `/api/v1/milestones/${submitted}/submit`,
    token: freelancer.token,
    payload: { message: 'Done' },
  })
  ctx.clock.advance(2 * DAY)
  return { operator, client, freelancer, contractId, workroomId, submitted, funded, pending, submittedAt }
}

const holdsOf = async (
  ctx: TestApp,
  contractId: string,
  user: TestUser,
): Promise<{ contractState: string; items: Hold[] }> =>
  expectStatus(ctx, 200, { method: 'GET', url: `/api/v1/contracts/${contractId}/holds`, token: user.token })

const contractState = async (ctx: TestApp, contractId: string, user: TestUser): Promise<string> =>
  (await expectStatus(ctx, 200, { method: 'GET', url: `/api/v1/contracts/${contractId}`, token: user.token })).state

const milestoneOf = (ctx: TestApp, id: string, user: TestUser) =>
  expectStatus(ctx, 200, { method: 'GET', url: `/api/v1/milestones/${id}`, token: user.token })

/** A second app on the same database after the first closed: a restart. */
async function restart(t: Parameters<typeof build>[0], ctx: TestApp): Promise<TestApp> {
  await ctx.app.close()
  return build(t, { clock: ctx.clock, sameDatabaseAs: ctx })
}

t.test(
  'ending with a submitted and a funded milestone: each deadline moves its money, then the contract ends',
  async (t) => {
    const ctx = await build(t)
    const { operator, client, freelancer, contractId, workroomId, submitted, funded, pending, submittedAt } =
      await contractWithHolds(ctx)

    const endedAt = ctx.clock.now()
    const ended = await expectStatus(ctx, 200, {
      method: 'POST',
      url: `/api/v1/contracts/${contractId}/end`,
      token: client.token,
    })
    t.equal(ended.state, 'ending', 'money in escrow: the contract is ending, not ended')
    t.equal(ended.endedAt, null)
    t.equal(await contractState(ctx, contractId, freelancer), 'ending', 'both parties see it')

    const holds = await holdsOf(ctx, contractId, freelancer)
    t.equal(holds.contractState, 'ending')
    t.same(
      holds.items.map((h) => [h.milestoneId, h.state, h.held, h.rule, h.deadline]),
      [
        [submitted, 'submitted', 30_000, 'review_window', new Date(submittedAt.getTime() + 14 * DAY).toISOString()],
        [funded, 'funded', 20_000, 'end_window', new Date(endedAt.getTime() + 14 * DAY).toISOString()],
      ],
      'each open hold with its rule and absolute deadline; the unfunded milestone holds nothing',
    )
    t.match(holds.items[0], { title: 'Milestone 1', amount: 30_000 })

    // No new work while ending.
    const fund = await ctx.call({
      method: 'POST',
      url: `/api/v1/milestones/${pending}/fund`,
      token: client.token,
      headers: idem(),
    })
    t.equal(fund.statusCode, 409, 'no funding')
    const submit = await ctx.call({
      method: 'POST',
      url: `/api/v1/milestones/${funded}/submit`,
      token: freelancer.token,
      payload: { message: 'Late work' },
    })
    t.equal(submit.statusCode, 409, 'no new submission')
    const changes = await ctx.call({
      method: 'POST',
      url: `/api/v1/milestones/${submitted}/request-changes`,
      token: client.token,
      payload: { message: 'More' },
    })
    t.equal(changes.statusCode, 409, 'no change request: nothing could be resubmitted')
    t.equal(changes.json().code, 'milestones.contract_not_active')
    const again = await ctx.call({
      method: 'POST',
      url: `/api/v1/contracts/${contractId}/end`,
      token: freelancer.token,
    })
    t.equal(again.statusCode, 409, 'an ending contract is not ended twice')

    // The review window closes first (14 days after the submission).
    ctx.clock.advance(12 * DAY - MINUTE)
    await ctx.app.scheduler.runDue()
    t.equal((await milestoneOf(ctx, submitted, client)).state, 'submitted', 'a minute early nothing moves')
    ctx.clock.advance(2 * MINUTE)
    await ctx.app.scheduler.runDue()
    t.match(await milestoneOf(ctx, submitted, client), { state: 'released', held: 0, released: 30_000 })
    t.same(
      await balances(ctx, freelancer),
      { available: 0, inEscrow: 0, earnings: 27_000, pendingWithdrawal: 0 },
      'released less the 10% fee',
    )
    t.equal(await contractState(ctx, contractId, client), 'ending', 'one hold is left')
    t.same(
      (await holdsOf(ctx, contractId, client)).items.map((h) => h.milestoneId),
      [funded],
    )

    // Then the end window (14 days after the end).
    ctx.clock.advance(2 * DAY - 2 * MINUTE)
    await ctx.app.scheduler.runDue()
    t.equal(
      (await milestoneOf(ctx, funded, client)).state,
      'funded',
      'a minute before the end window closes nothing moves',
    )
    ctx.clock.advance(2 * MINUTE)
    const late = await ctx.call({
      method: 'POST',
      url: `/api/v1/milestones/${funded}/disputes`,
      token: freelancer.token,
      payload: { reason: 'Too late' },
    })
    t.equal(late.statusCode, 409, 'once the end window closed, a dispute no longer stops the refund')
    await ctx.app.scheduler.runDue()
    t.match(await milestoneOf(ctx, funded, client), { state: 'refunded', held: 0, refunded: 20_000 })
    t.same(
      await balances(ctx, client),
      { available: 20_000, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 },
      "the unsubmitted work's money is back in the client's wallet",
    )

    const final = await expectStatus(ctx, 200, {
      method: 'GET',
      url: `/api/v1/contracts/${contractId}`,
      token: client.token,
    })
    t.equal(final.state, 'ended', 'no hold left: ended')
    t.equal(final.endedAt, ctx.clock.now().toISOString())
    t.same((await holdsOf(ctx, contractId, client)).items, [])
    t.equal((await milestoneOf(ctx, pending, client)).state, 'pending', 'the never-funded milestone stays as it was')

    const report = await verifyLedger(ctx, operator)
    t.equal(report.ok, true, 'the ledger balances')
    t.equal(report.holdsOnEndedContracts, 0, 'no hold is left on an ended contract')

    const activity = await expectStatus(ctx, 200, {
      method: 'GET',
      url: `/api/v1/workrooms/${workroomId}/activity?limit=100`,
      token: client.token,
    })
    const steps = activity.items
      .map((e: { type: string; data: Record<string, unknown> }) => e)
      .filter(
        (e: { type: string }) =>
          /^contract\.(ending|ended)$/.test(e.type) ||
          (e.type.startsWith('milestone.') && !['milestone.funded', 'milestone.submitted'].includes(e.type)),
      )
    t.match(
      steps,
      [
        {
          type: 'contract.ending',
          data: {
            holds: [
              { milestoneId: submitted, rule: 'review_window' },
              { milestoneId: funded, rule: 'end_window' },
            ],
          },
        },
        { type: 'milestone.released', data: { milestoneId: submitted, reason: 'auto_released' } },
        { type: 'milestone.refunded', data: { milestoneId: funded, by: 'end_window', amount: 20_000 } },
        { type: 'contract.ended', data: { from: 'ending', by: 'holds_settled' } },
      ],
      'every step is in the activity log',
    )
  },
)

t.test('the deadlines survive a restart', async (t) => {
  const ctx = await build(t)
  const { operator, client, freelancer, contractId, submitted, funded } = await contractWithHolds(ctx)
  await expectStatus(ctx, 200, { method: 'POST', url: `/api/v1/contracts/${contractId}/end`, token: freelancer.token })

  const second = await restart(t, ctx)
  const holds = await holdsOf(second, contractId, client)
  t.same(
    holds.items.map((h) => h.rule),
    ['review_window', 'end_window'],
    'the holds and their rules are read back after the restart',
  )

  ctx.clock.advance(14 * DAY + MINUTE)
  t.ok((await second.app.scheduler.runDue()) >= 2, 'both deadlines ran on the new instance')
  t.equal(await second.app.scheduler.runDue(), 0, 'and only once')
  t.equal((await milestoneOf(second, submitted, client)).state, 'released')
  t.equal((await milestoneOf(second, funded, client)).state, 'refunded')
  t.same(await balances(second, freelancer), { available: 0, inEscrow: 0, earnings: 27_000, pendingWithdrawal: 0 })
  t.same(await balances(second, client), { available: 20_000, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 })
  t.equal(await contractState(second, contractId, client), 'ended')
  const report = await verifyLedger(second, operator)
  t.equal(report.ok, true)
  t.equal(report.holdsOnEndedContracts, 0)
})

t.test(
  'a freelancer dispute before the end window stops the refund; the dispute decides, then the contract ends',
  async (t) => {
    const ctx = await build(t)
    const { operator, client, freelancer, contractId, submitted, funded } = await contractWithHolds(ctx)
    await expectStatus(ctx, 200, { method: 'POST', url: `/api/v1/contracts/${contractId}/end`, token: client.token })
    await expectStatus(ctx, 200, {
      method: 'POST',
      url: `/api/v1/milestones/${submitted}/approve`,
      token: client.token,
      headers: idem(),
    })

    ctx.clock.advance(3 * DAY)
    const dispute = await expectStatus(ctx, 201, {
      method: 'POST',
      url: `/api/v1/milestones/${funded}/disputes`,
      token: freelancer.token,
      payload: { reason: 'The work was done; the client ended the contract before I could submit it' },
    })
    const [hold] = (await holdsOf(ctx, contractId, client)).items
    t.match(hold, {
      milestoneId: funded,
      state: 'disputed',
      rule: 'dispute',
      deadline: dispute.responseDueAt,
      disputeId: dispute.id,
    })
    await expectStatus(ctx, 200, {
      method: 'POST',
      url: `/api/v1/disputes/${dispute.id}/respond`,
      token: client.token,
      headers: idem(),
      payload: { message: 'It was not done' },
    })
    t.match(
      (await holdsOf(ctx, contractId, client)).items,
      [{ rule: 'dispute', deadline: null }],
      'answered: no deadline, the dispute decides',
    )

    ctx.clock.advance(12 * DAY)
    await ctx.app.scheduler.runDue()
    t.match(
      await milestoneOf(ctx, funded, client),
      { state: 'disputed', held: 20_000, refunded: 0 },
      'no refund at the end window',
    )
    t.equal((await balances(ctx, client)).available, 0)
    t.equal(await contractState(ctx, contractId, client), 'ending')

    await expectStatus(ctx, 200, {
      method: 'POST',
      url: `/api/v1/admin/disputes/${dispute.id}/decide`,
      token: operator.token,
      headers: idem(),
      payload: { freelancerAmount: 15_000, note: 'Most of the work was delivered in the workroom' },
    })
    t.same(await balances(ctx, client), { available: 5_000, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 })
    t.equal((await balances(ctx, freelancer)).earnings, 27_000 + 13_500)
    t.equal(await contractState(ctx, contractId, client), 'ended', 'the decision emptied the last hold: ended')
    const report = await verifyLedger(ctx, operator)
    t.equal(report.ok, true)
    t.equal(report.holdsOnEndedContracts, 0)
  },
)

t.test('the client releases and the freelancer refunds at once: the contract ends with the last one', async (t) => {
  const ctx = await build(t)
  const { operator, client, freelancer, contractId, submitted, funded } = await contractWithHolds(ctx)
  await expectStatus(ctx, 200, { method: 'POST', url: `/api/v1/contracts/${contractId}/end`, token: client.token })

  const asked = await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${funded}/refund`,
    token: client.token,
    headers: idem(),
  })
  t.equal(asked.statusCode, 202, "the client's refund only asks")
  await expectStatus(ctx, 200, {
    method: 'POST',
    url: `/api/v1/milestones/${funded}/refund`,
    token: freelancer.token,
    headers: idem(),
  })
  t.equal(await contractState(ctx, contractId, client), 'ending', 'the submitted work is still held')
  t.same(await balances(ctx, client), { available: 20_000, inEscrow: 30_000, earnings: 0, pendingWithdrawal: 0 })

  await expectStatus(ctx, 200, {
    method: 'POST',
    url: `/api/v1/milestones/${submitted}/approve`,
    token: client.token,
    headers: idem(),
    payload: { amount: 10_000 },
  })
  t.equal(await contractState(ctx, contractId, client), 'ending', 'a partial release leaves the rest held')
  await expectStatus(ctx, 200, {
    method: 'POST',
    url: `/api/v1/milestones/${submitted}/approve`,
    token: client.token,
    headers: idem(),
  })
  t.equal(await contractState(ctx, contractId, freelancer), 'ended', 'released at once: ended at once')
  t.same(await balances(ctx, freelancer), { available: 0, inEscrow: 0, earnings: 27_000, pendingWithdrawal: 0 })

  ctx.clock.advance(15 * DAY)
  await ctx.app.scheduler.runDue()
  t.same(
    await balances(ctx, client),
    { available: 20_000, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 },
    'the cancelled deadlines move nothing later',
  )
  t.equal((await balances(ctx, freelancer)).earnings, 27_000)
  const report = await verifyLedger(ctx, operator)
  t.equal(report.ok, true)
  t.equal(report.holdsOnEndedContracts, 0)

  // Without money in escrow a contract ends at once, as before.
  const other = await plannedContract(ctx, { client, freelancer, amounts: [60_000] })
  const plain = await expectStatus(ctx, 200, {
    method: 'POST',
    url: `/api/v1/contracts/${other.contractId}/end`,
    token: client.token,
  })
  t.equal(plain.state, 'ended')
  t.same((await holdsOf(ctx, other.contractId, client)).items, [])
})
