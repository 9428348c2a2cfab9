// Operator settings through the HTTP API: who may change them, bounds, the audit log, a
// restart, and the rule that a change applies to deadlines created after it.
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

t.test(
  'a new auto-release period applies to submissions after the change; an earlier one keeps its date',
  async (t) => {
    const ctx = await build(t)
    const { call, clock } = ctx
    const operator = await makeOperator(ctx)
    const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
    const { milestoneIds } = await boundFixedContract(ctx, { client, freelancer, amounts: [50_000, 30_000] })
    const [early, late] = milestoneIds as [string, string]
    await depositConfirmed(ctx, client, operator, 80_000)
    for (const id of milestoneIds) {
      const funded = await call({
        method: 'POST',
        url: `/api/v1/milestones/${id}/fund`,
        token: client.token,
        headers: idem(),
      })
      t.equal(funded.statusCode, 200)
    }
    const submit = (id: string) =>
      call({
        method: 'POST',
        url: `/api/v1/milestones/${id}/submit`,
        token: freelancer.token,
        payload: { message: 'Done' },
      })

    const first = await submit(early)
    const firstDue = new Date(clock.now().getTime() + 14 * DAY).toISOString()
    t.equal(first.json().autoReleaseAt, firstDue, 'submitted under the default: 14 days')

    clock.advance(HOUR)
    const changed = await call({ method: 'PATCH', url, token: operator.token, payload: { autoReleaseDays: 3 } })
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().values.autoReleaseDays, 3)
    t.match(changed.json().changes, [
      { key: 'autoReleaseDays', oldValue: 14, newValue: 3, changedBy: { id: operator.id, name: 'Ops' } },
    ])

    clock.advance(HOUR)
    const second = await submit(late)
    const secondDue = new Date(clock.now().getTime() + 3 * DAY).toISOString()
    t.equal(second.json().autoReleaseAt, secondDue, 'submitted after the change: 3 days')
    const before = await call({ method: 'GET', url: `/api/v1/milestones/${early}`, token: client.token })
    t.equal(before.json().autoReleaseAt, firstDue, 'the earlier submission keeps its date')

    clock.set(secondDue)
    await ctx.app.scheduler.runDue()
    const state = async (id: string) =>
      (await call({ method: 'GET', url: `/api/v1/milestones/${id}`, token: client.token })).json().state
    t.equal(await state(late), 'released', 'the new deadline ran')
    t.equal(await state(early), 'submitted', 'the old one has not come yet')
    t.equal((await balances(ctx, freelancer)).earnings, 27_000)

    clock.set(firstDue)
    await ctx.app.scheduler.runDue()
    t.equal(await state(early), 'released', 'and runs on its own date')
    t.equal((await balances(ctx, freelancer)).earnings, 72_000)
  },
)

t.test('only operators read and change settings; a value out of bounds answers 400 naming it', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const operator = await makeOperator(ctx)
  const user = await ctx.register('Uma')

  for (const request of [
    { method: 'GET' as const, url },
    { method: 'PATCH' as const, url, payload: { autoReleaseDays: 3 } },
    { method: 'GET' as const, url: `${url}/changes` },
  ]) {
    const answer = await call({ ...request, token: user.token })
    t.equal(answer.statusCode, 403, `${request.method} ${request.url} is for operators`)
    t.equal(answer.json().code, 'auth.forbidden')
    t.equal((await call(request)).statusCode, 401, 'and needs a session')
  }

  const bad: Array<[Record<string, unknown>, string]> = [
    [{ autoReleaseDays: 0 }, 'autoReleaseDays'],
    [{ autoReleaseDays: 366 }, 'autoReleaseDays'],
    [{ autoReleaseDays: 2.5 }, 'autoReleaseDays'],
    [{ autoReleaseDays: '3' }, 'autoReleaseDays'],
    [{ platformFeeBps: 5001 }, 'platformFeeBps'],
    [{ timesheetSubmitHour: 24 }, 'timesheetSubmitHour'],
    [{ statusReportDueWeekday: 7 }, 'statusReportDueWeekday'],
    [{ endWindowDays: 3, feedbackWindowDays: -1 }, 'feedbackWindowDays'],
    [{ noSuchSetting: 3 }, 'noSuchSetting'],
  ]
  for (const [payload, field] of bad) {
    const answer = await call({ method: 'PATCH', url, token: operator.token, payload })
    t.equal(answer.statusCode, 400, JSON.stringify(payload))
    t.equal(answer.json().field, field, `names ${field}`)
    t.match(answer.json().message, field)
  }
  const empty = await call({ method: 'PATCH', url, token: operator.token, payload: {} })
  t.equal(empty.statusCode, 400, 'an empty change is refused')

  const read = await call({ method: 'GET', url, token: operator.token })
  t.equal(read.statusCode, 200)
  t.equal(read.json().values.endWindowDays, 14, 'a refused request changed nothing, not even its valid part')
  t.equal(read.json().values.platformFeeBps, 1000)
  const item = read.json().items.find((i: { key: string }) => i.key === 'autoReleaseDays')
  t.match(item, { value: 14, default: 14, minimum: 1, maximum: 365, unit: 'days', description: /released/ })
  t.same(
    (await call({ method: 'GET', url: `${url}/changes`, token: operator.token })).json().items,
    [],
    'nothing logged',
  )
})

t.test('the audit log lists each change once, newest first; repeating a change logs nothing', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  const operator = await makeOperator(ctx, 'Olga')
  const other = await makeOperator(ctx, 'Omar')

  const firstAt = clock.now().toISOString()
  const first = await call({
    method: 'PATCH',
    url,
    token: operator.token,
    payload: { platformFeeBps: 800, timesheetSubmitHour: 18 },
  })
  t.equal(first.json().changes.length, 2)
  const again = await call({
    method: 'PATCH',
    url,
    token: operator.token,
    payload: { platformFeeBps: 800, timesheetSubmitHour: 18 },
  })
  t.equal(again.statusCode, 200)
  t.same(again.json().changes, [], 'the same request again changes nothing')
  t.equal(again.json().values.platformFeeBps, 800)

  clock.advance(HOUR)
  const secondAt = clock.now().toISOString()
  await call({ method: 'PATCH', url, token: other.token, payload: { platformFeeBps: 500, timesheetSubmitHour: 18 } })

  const log = await call({ method: 'GET', url: `${url}/changes`, token: operator.token })
  t.match(log.json().items, [
    {
      key: 'platformFeeBps',
      oldValue: 800,
      newValue: 500,
      changedBy: { id: other.id, name: 'Omar' },
      changedAt: secondAt,
    },
    { changedBy: { name: 'Olga' }, changedAt: firstAt },
    { changedBy: { name: 'Olga' }, changedAt: firstAt },
  ])
  t.equal(log.json().items.length, 3, 'the repeated request and the unchanged hour left no entry')
  t.same(
    log
      .json()
      .items.slice(1)
      .map((i: { key: string; oldValue: number; newValue: number }) => [i.key, i.oldValue, i.newValue])
      .sort(),
    [
      ['platformFeeBps', 1000, 800],
      ['timesheetSubmitHour', 12, 18],
    ],
  )

  const page = await call({ method: 'GET', url: `${url}/changes?limit=2`, token: operator.token })
  t.equal(page.json().items.length, 2)
  const rest = await call({
    method: 'GET',
    url: `${url}/changes?limit=2&cursor=${page.json().nextCursor}`,
    token: operator.token,
  })
  t.equal(rest.json().items.length, 1)
  t.equal(rest.json().nextCursor, null)
  const fees = await call({ method: 'GET', url: `${url}/changes?key=platformFeeBps`, token: operator.token })
  t.same(
    fees.json().items.map((i: { newValue: number }) => i.newValue),
    [500, 800],
  )
})

t.test('settings survive a restart; defaults come from the configuration', async (t) => {
  const env = { AUTO_RELEASE_DAYS: '10', PLATFORM_FEE_BPS: '700' }
  const first = await build(t, { env })
  const operator = await makeOperator(first)
  const defaults = (await first.call({ method: 'GET', url, token: operator.token })).json()
  t.equal(defaults.values.autoReleaseDays, 10, 'AUTO_RELEASE_DAYS sets the starting value')
  t.equal(defaults.values.platformFeeBps, 700)
  await first.call({ method: 'PATCH', url, token: operator.token, payload: { autoReleaseDays: 21 } })

  await first.app.close()
  const second = await build(t, { sameDatabaseAs: first, clock: first.clock, env })
  const read = (await second.call({ method: 'GET', url, token: operator.token })).json()
  t.equal(read.values.autoReleaseDays, 21, 'the operator’s value is kept')
  t.equal(read.values.platformFeeBps, 700, 'an unchanged setting still follows the configuration')
  t.match(
    read.items.find((i: { key: string }) => i.key === 'autoReleaseDays'),
    { value: 21, default: 10 },
  )
  t.equal((await second.call({ method: 'GET', url: `${url}/changes`, token: operator.token })).json().items.length, 1)
})

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
