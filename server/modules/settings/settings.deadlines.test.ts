// Operator settings that move deadlines: timesheet windows, the end window, status reports, the
// dispute answer, offer expiry, weekly limit and feedback window follow a change for what is created after it.
import t from 'tap'
import { DAY, HOUR } from '../../clock.js'
import { boundFixedContract } from '../../../test/fixtures/fixed-contract.js'
import { activity, createHourlyContract } from '../../../test/fixtures/hourly-contract.js'
import { plannedContract } from '../../../test/fixtures/planned-contract.js'
import { build } from '../../../test/helper.js'
import { act, expect, hire, hourlyJob, postJob, propose } from '../../../test/marketplace.js'
import { balances, depositConfirmed, idem, makeOperator } from '../../../test/money.js'

t.setTimeout(180_000)

const url = '/api/v1/admin/settings'

t.test('a week keeps the timesheet deadlines it was created with; the next week gets the new ones', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  clock.set('2026-11-23T18:00:00Z')
  const { contractId, client, freelancer } = await createHourlyContract(ctx, {
    hourlyRate: 6000,
    weeklyLimitMinutes: null,
  })
  const operator = await makeOperator(ctx)
  const track = (start: string) =>
    call({
      method: 'PUT',
      url: `/api/v1/contracts/${contractId}/segments`,
      token: freelancer.token,
      payload: { segments: [{ start, activity: activity(), memo: 'Work' }] },
    })
  const week = async (label: string) =>
    (await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/timesheets`, token: client.token }))
      .json()
      .items.find((s: { week: string }) => s.week === label)

  t.equal((await track('2026-11-23T09:00:00Z')).statusCode, 200)
  const before = { submitDeadline: '2026-11-30T12:00:00.000Z', reviewDueAt: '2026-12-05T00:00:00.000Z' }
  t.match(await week('2026-W48'), before, 'created under the defaults: Monday 12:00, until Friday 23:59 UTC')

  const changed = await call({
    method: 'PATCH',
    url,
    token: operator.token,
    payload: { timesheetSubmitHour: 18, timesheetReviewDays: 3, timesheetDisputeResponseDays: 1 },
  })
  t.equal(changed.json().changes.length, 3)
  t.match(await week('2026-W48'), before, 'the week already started keeps its deadlines')

  clock.set('2026-11-30T12:00:00Z')
  await ctx.app.scheduler.runDue()
  t.match(await week('2026-W48'), { state: 'submitted', submittedBy: 'system', ...before }, 'submitted on its own date')

  t.equal((await track('2026-11-30T09:00:00Z')).statusCode, 200)
  t.match(
    await week('2026-W49'),
    { state: 'open', submitDeadline: '2026-12-07T18:00:00.000Z', reviewDueAt: '2026-12-10T00:00:00.000Z' },
    'a week created after the change: Monday 18:00, three days of review',
  )

  const sheet = await week('2026-W48')
  const disputed = await call({
    method: 'POST',
    url: `/api/v1/timesheets/${sheet.id}/dispute`,
    token: client.token,
    headers: idem(),
    payload: { minutes: 10, reason: 'Not on our project' },
  })
  t.equal(disputed.statusCode, 201, disputed.body)
  t.equal(
    disputed.json().dispute.respondBy,
    '2026-12-01T12:00:00.000Z',
    'the freelancer answers within the new one day',
  )
})

t.test('a contract ending after the end window changed gets the new window for its unsubmitted work', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  const operator = await makeOperator(ctx)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const { contractId, milestoneIds } = await plannedContract(ctx, { client, freelancer, amounts: [20_000] })
  const [funded] = milestoneIds as [string]
  await depositConfirmed(ctx, client, operator, 20_000)
  const fund = await call({
    method: 'POST',
    url: `/api/v1/milestones/${funded}/fund`,
    token: client.token,
    headers: idem(),
  })
  t.equal(fund.statusCode, 200)
  const changed = await call({ method: 'PATCH', url, token: operator.token, payload: { endWindowDays: 3 } })
  t.equal(changed.statusCode, 200)

  clock.advance(HOUR)
  const end = await call({ method: 'POST', url: `/api/v1/contracts/${contractId}/end`, token: client.token })
  t.equal(end.statusCode, 200, end.body)
  t.equal(end.json().state, 'ending')
  const refundAt = new Date(clock.now().getTime() + 3 * DAY).toISOString()
  const holds = await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/holds`, token: freelancer.token })
  t.match(holds.json().items, [{ milestoneId: funded, rule: 'end_window', deadline: refundAt }], '3 days, not 14')

  clock.set(refundAt)
  await ctx.app.scheduler.runDue()
  t.same(await balances(ctx, client), { available: 20_000, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 })
  const contract = await call({ method: 'GET', url: `/api/v1/contracts/${contractId}`, token: client.token })
  t.equal(contract.statusCode, 200, contract.body)
  t.equal(contract.json().state, 'ended', 'the refund emptied the last hold')
})

t.test(
  'a status report is due on the operator’s weekday and hour; a check already scheduled keeps its date',
  async (t) => {
    const ctx = await build(t) // Monday 2026-11-23 09:00 UTC: the first full week starts 2026-11-30
    const { call, clock } = ctx
    const operator = await makeOperator(ctx)
    const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
    const { contractId } = await boundFixedContract(ctx, { client, freelancer, amounts: [10_000] })
    const reports = `/api/v1/contracts/${contractId}/status-reports`
    const list = async () => (await call({ method: 'GET', url: reports, token: client.token })).json()

    t.same(
      (await list()).nextDue,
      { weekStart: '2026-11-30', dueAt: '2026-12-07T00:00:00.000Z' },
      'default: Monday 00:00 UTC',
    )
    await call({
      method: 'PATCH',
      url,
      token: operator.token,
      payload: { statusReportDueWeekday: 3, statusReportDueHour: 12 },
    })
    t.same((await list()).nextDue, { weekStart: '2026-11-30', dueAt: '2026-12-07T00:00:00.000Z' }, 'kept')

    clock.set('2026-12-07T00:00:00Z')
    await ctx.app.scheduler.runDue()
    const flagged = await list()
    t.same(
      flagged.missingWeeks.map((w: { weekStart: string }) => w.weekStart),
      ['2026-11-30'],
    )
    t.same(
      flagged.nextDue,
      { weekStart: '2026-12-07', dueAt: '2026-12-16T12:00:00.000Z' },
      'the next week: Wednesday 12:00 UTC',
    )

    clock.set('2026-12-15T10:00:00Z')
    const late = { workCompleted: 'Visual design', progress: 50, plans: 'Build', weekStart: '2026-12-07' }
    t.equal((await call({ method: 'POST', url: reports, token: freelancer.token, payload: late })).statusCode, 201)
    clock.set('2026-12-16T12:00:00Z')
    await ctx.app.scheduler.runDue()
    const after = await list()
    t.same(
      after.missingWeeks.map((w: { weekStart: string }) => w.weekStart),
      ['2026-11-30'],
      'filed before it was due',
    )
    t.same(after.nextDue, { weekStart: '2026-12-14', dueAt: '2026-12-23T12:00:00.000Z' })
  },
)

t.test(
  'the dispute answer, the offer expiry, the default weekly limit and the feedback window follow the operator',
  async (t) => {
    const ctx = await build(t)
    const { call, clock } = ctx
    const operator = await makeOperator(ctx)
    const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
    const { milestoneIds } = await boundFixedContract(ctx, { client, freelancer, amounts: [20_000] })
    await depositConfirmed(ctx, client, operator, 20_000)
    await expect(call, 200, {
      method: 'POST',
      url: `/api/v1/milestones/${milestoneIds[0]}/fund`,
      token: client.token,
      headers: idem(),
    })
    await expect(call, 200, {
      method: 'PATCH',
      url,
      token: operator.token,
      payload: { disputeResponseDays: 2, offerExpiryDays: 3, defaultWeeklyLimitHours: 25, feedbackWindowDays: 5 },
    })

    clock.advance(HOUR)
    const dispute = await expect(call, 201, {
      method: 'POST',
      url: `/api/v1/milestones/${milestoneIds[0]}/disputes`,
      token: freelancer.token,
      payload: { reason: 'The brief changed after funding' },
    })
    t.equal(dispute.responseDueAt, new Date(clock.now().getTime() + 2 * DAY).toISOString(), 'two days to answer')

    const job = await postJob(call, client.token, hourlyJob)
    const proposal = await propose(call, freelancer.token, job.id, {
      coverLetter: 'Hourly.',
      hourlyRate: 4_000,
      estimatedDays: 30,
    })
    const offer = await hire(call, client.token, proposal.id)
    t.equal(offer.offerExpiresAt, new Date(clock.now().getTime() + 3 * DAY).toISOString(), 'the offer waits 3 days')
    const hourly = await act(call, freelancer.token, `/api/v1/contracts/${offer.id}/accept`)
    t.equal(hourly.weeklyLimitMinutes, 25 * 60, 'the new default weekly limit binds')

    const ended = await act(call, client.token, `/api/v1/contracts/${hourly.id}/end`)
    t.equal(ended.state, 'ended')
    const feedback = await expect(call, 200, {
      method: 'GET',
      url: `/api/v1/contracts/${hourly.id}/feedback`,
      token: client.token,
    })
    t.equal(
      feedback.window.closesAt,
      new Date(Date.parse(ended.endedAt) + 5 * DAY).toISOString(),
      'five days to leave feedback',
    )
  },
)
