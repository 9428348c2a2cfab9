import t from 'tap'
import { DAY, HOUR } from '../../clock.js'
import { activity, createHourlyContract } from '../../../test/fixtures/hourly-contract.js'
import { build, type TestApp } from '../../../test/helper.js'
import { balances, depositConfirmed, idem, makeOperator, verifyLedger } from '../../../test/money.js'

t.setTimeout(120_000)

/** An hourly contract at 60.00/h (1.00 per minute) with `minutes` tracked on Monday 2026-11-23. */
async function weekOfWork(harness: TestApp, minutes: number) {
  harness.clock.set('2026-11-23T18:00:00Z')
  const fixture = await createHourlyContract(harness, { hourlyRate: 6000, weeklyLimitMinutes: null })
  const segments = Array.from({ length: minutes / 10 }, (_, i) => ({
    start: new Date(Date.parse('2026-11-23T09:00:00Z') + i * 600_000).toISOString(),
    activity: activity(),
    memo: 'Work',
  }))
  const put = await harness.call({
    method: 'PUT',
    url: `/api/v1/contracts/${fixture.contractId}/segments`,
    token: fixture.freelancer.token,
    payload: { segments },
  })
  const timesheetId =
    put.statusCode === 200
      ? (
          await harness.call({
            method: 'GET',
            url: `/api/v1/contracts/${fixture.contractId}/timesheets`,
            token: fixture.client.token,
          })
        ).json().items[0].id
      : null
  return { ...fixture, timesheetId: timesheetId as string }
}

t.test('submit with notes, dispute part of the week, settle on minutes', async (t) => {
  const harness = await build(t)
  const { call, register } = harness
  const { contractId, client, freelancer, timesheetId } = await weekOfWork(harness, 60)
  const operator = await makeOperator(harness)
  await depositConfirmed(harness, client, operator, 100_000)
  const stranger = await register('Stranger')
  const url = `/api/v1/timesheets/${timesheetId}`

  t.equal((await call({ method: 'GET', url, token: stranger.token })).statusCode, 404)
  t.equal((await call({ method: 'POST', url: `${url}/submit`, token: client.token, payload: {} })).statusCode, 403)
  const noted = await call({ method: 'PATCH', url, token: freelancer.token, payload: { notes: 'Landing page' } })
  t.equal(noted.json().notes, 'Landing page')
  t.match(noted.json(), { state: 'open', totals: { billableMinutes: 60 }, submitDeadline: '2026-11-30T12:00:00.000Z' })

  const submitted = await call({
    method: 'POST',
    url: `${url}/submit`,
    token: freelancer.token,
    payload: { notes: 'Landing page, header done' },
  })
  t.equal(submitted.statusCode, 200, submitted.body)
  t.match(submitted.json(), {
    state: 'submitted',
    submittedBy: 'freelancer',
    amount: 6000,
    notes: 'Landing page, header done',
  })
  t.equal(
    (await call({ method: 'POST', url: `${url}/submit`, token: freelancer.token, payload: {} })).json().code,
    'timesheets.not_open',
  )
  const late = await call({
    method: 'PUT',
    url: `/api/v1/contracts/${contractId}/segments`,
    token: freelancer.token,
    payload: { segments: [{ start: '2026-11-23T12:00:00Z', activity: activity() }] },
  })
  t.equal(late.statusCode, 409)
  t.same(
    late.json().rejected.map((r: { code: string }) => r.code),
    ['tracker.week_locked'],
    'submitting locked the week',
  )

  t.equal(
    (
      await call({
        method: 'POST',
        url: `${url}/dispute`,
        token: client.token,
        payload: { minutes: 20, reason: 'Too long' },
      })
    ).statusCode,
    400,
    'money moves only with an Idempotency-Key',
  )
  t.equal(
    (
      await call({
        method: 'POST',
        url: `${url}/dispute`,
        token: client.token,
        headers: idem(),
        payload: { minutes: 70, reason: 'x' },
      })
    ).statusCode,
    400,
  )
  const key = idem()
  const disputed = await call({
    method: 'POST',
    url: `${url}/dispute`,
    token: client.token,
    headers: key,
    payload: { minutes: 20, reason: 'The call was not work' },
  })
  t.equal(disputed.statusCode, 201, disputed.body)
  t.match(disputed.json(), {
    timesheet: { state: 'disputed', approvedMinutes: 40 },
    dispute: { state: 'open', disputedMinutes: 20, respondBy: '2026-11-26T18:00:00.000Z' },
  })
  const replay = await call({
    method: 'POST',
    url: `${url}/dispute`,
    token: client.token,
    headers: key,
    payload: { minutes: 20, reason: 'The call was not work' },
  })
  t.equal(replay.headers['idempotent-replayed'], 'true', 'a retried dispute is answered, not repeated')
  t.equal((await balances(harness, client)).available, 96_000, 'the 40 undisputed minutes are paid at once')
  t.equal((await balances(harness, freelancer)).earnings, 3_600)

  const disputeUrl = `/api/v1/timesheet-disputes/${disputed.json().dispute.id}`
  t.equal((await call({ method: 'GET', url: disputeUrl, token: stranger.token })).statusCode, 404)
  const answered = await call({
    method: 'POST',
    url: `${disputeUrl}/respond`,
    token: freelancer.token,
    headers: idem(),
    payload: { message: 'The call was planning', minutes: 15 },
  })
  t.match(answered.json(), { state: 'open', freelancerProposal: 15, clientProposal: 0 })
  t.match(
    (
      await call({
        method: 'POST',
        url: `${disputeUrl}/settle`,
        token: client.token,
        headers: idem(),
        payload: { minutes: 10 },
      })
    ).json(),
    { state: 'open', clientProposal: 10 },
  )
  const settled = await call({
    method: 'POST',
    url: `${disputeUrl}/settle`,
    token: client.token,
    headers: idem(),
    payload: { minutes: 15 },
  })
  t.match(settled.json(), { state: 'resolved', resolvedMinutes: 15, resolvedBy: 'agreement' })

  const sheet = (await call({ method: 'GET', url, token: freelancer.token })).json()
  t.match(sheet, { state: 'approved', approvedMinutes: 55 })
  const invoices = (
    await call({ method: 'GET', url: `/api/v1/invoices?contractId=${contractId}`, token: client.token })
  ).json().items
  t.same(invoices.map((i: { number: number; state: string; total: number }) => [i.number, i.state, i.total]).sort(), [
    [1, 'paid', 4000],
    [2, 'paid', 1500],
  ])
  t.equal((await balances(harness, client)).available, 94_500)
  t.equal((await verifyLedger(harness, operator)).ok, true)
  // The live contract state (server-written) carries the week for both parties' screens.
  const live = await harness.app.realtime.read(`contract:${contractId}:state`, (doc) =>
    doc.getMap('timesheets').get(timesheetId),
  )
  t.match(live, { week: '2026-W48', state: 'approved', billableMinutes: 60, approvedMinutes: 55, amount: 6000 })
  t.equal((live as { invoices: unknown[] }).invoices.length, 2)
  harness.clock.set('2026-12-10T00:00:00Z')
  await harness.app.scheduler.runDue()
  t.equal((await balances(harness, client)).available, 94_500, 'no deadline moves anything more')
})

t.test('no answer in 3 days, an operator decides, a short wallet pays later', async (t) => {
  const harness = await build(t)
  const { call, app } = harness
  const operator = await makeOperator(harness)

  // 1. The whole week disputed and the freelancer silent: the client's position stands.
  const silent = await weekOfWork(harness, 30)
  await depositConfirmed(harness, silent.client, operator, 10_000)
  await call({
    method: 'POST',
    url: `/api/v1/timesheets/${silent.timesheetId}/submit`,
    token: silent.freelancer.token,
    payload: {},
  })
  const opened = await call({
    method: 'POST',
    url: `/api/v1/timesheets/${silent.timesheetId}/dispute`,
    token: silent.client.token,
    headers: idem(),
    payload: { minutes: 30, reason: 'No work seen' },
  })
  t.equal(opened.statusCode, 201)
  harness.clock.advance(3 * DAY)
  await app.scheduler.runDue()
  const silentDispute = (
    await call({
      method: 'GET',
      url: `/api/v1/timesheet-disputes/${opened.json().dispute.id}`,
      token: silent.freelancer.token,
    })
  ).json()
  t.match(silentDispute, { state: 'resolved', resolvedMinutes: 0, resolvedBy: 'no_response' })
  t.equal((await balances(harness, silent.client)).available, 10_000, 'nothing was paid')
  const draft = (
    await call({ method: 'GET', url: `/api/v1/invoices?contractId=${silent.contractId}`, token: silent.client.token })
  ).json().items
  t.match(draft, [{ state: 'draft', number: null, total: 0 }], 'the draft was never numbered')

  // 2. Escalated to an operator, who decides.
  const escalated = await weekOfWork(harness, 60)
  await depositConfirmed(harness, escalated.client, operator, 10_000)
  await call({
    method: 'POST',
    url: `/api/v1/timesheets/${escalated.timesheetId}/submit`,
    token: escalated.freelancer.token,
    payload: {},
  })
  const dispute = (
    await call({
      method: 'POST',
      url: `/api/v1/timesheets/${escalated.timesheetId}/dispute`,
      token: escalated.client.token,
      headers: idem(),
      payload: { minutes: 30, reason: 'Half of it' },
    })
  ).json().dispute
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/timesheet-disputes/${dispute.id}/escalate`,
        token: escalated.freelancer.token,
      })
    ).json().state,
    'escalated',
  )
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/admin/timesheet-disputes/${dispute.id}/decide`,
        token: escalated.client.token,
        headers: idem(),
        payload: { minutes: 5 },
      })
    ).statusCode,
    403,
  )
  harness.clock.advance(5 * DAY)
  await app.scheduler.runDue()
  const decided = await call({
    method: 'POST',
    url: `/api/v1/admin/timesheet-disputes/${dispute.id}/decide`,
    token: operator.token,
    headers: idem(),
    payload: { minutes: 10 },
  })
  t.match(decided.json(), { state: 'resolved', resolvedMinutes: 10, resolvedBy: 'operator' })
  t.equal(
    (await balances(harness, escalated.client)).available,
    10_000 - 3_000 - 1_000,
    '30 undisputed + 10 decided minutes',
  )

  // 3. An empty wallet: the approval stands (formal invoice, owed) and payment follows the deposit.
  const short = await weekOfWork(harness, 20)
  await call({
    method: 'POST',
    url: `/api/v1/timesheets/${short.timesheetId}/submit`,
    token: short.freelancer.token,
    payload: {},
  })
  const approved = await call({
    method: 'POST',
    url: `/api/v1/timesheets/${short.timesheetId}/approve`,
    token: short.client.token,
    headers: idem(),
  })
  t.equal(approved.statusCode, 200, approved.body)
  const owed = (
    await call({ method: 'GET', url: `/api/v1/invoices/${approved.json().invoiceIds[0]}`, token: short.client.token })
  ).json()
  t.match(owed, { state: 'formal', total: 2000 })
  t.ok(owed.number > 0, 'numbered when approved')
  await depositConfirmed(harness, short.client, operator, 5_000)
  harness.clock.advance(HOUR)
  await app.scheduler.runDue()
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/invoices/${owed.id}`, token: short.client.token })).json().state,
    'paid',
  )
  t.equal((await balances(harness, short.client)).available, 3_000)
  t.equal((await balances(harness, short.freelancer)).earnings, 1_800)
  t.equal((await verifyLedger(harness, operator)).ok, true)
})
