// The hourly week, end to end through the HTTP API with the clock moved by hand: a week of
// tracked segments with screenshots (some manual, some past the weekly limit, one screenshot
// rejected, one deleted) -> Monday 12:00 auto-submit -> draft invoice equal to the hand-computed
// total -> Friday passes -> auto-approved -> formal invoice numbered -> the ledger moved exactly
// that amount, once, also across a restart.
import type { InjectOptions } from 'fastify'
import sharp from 'sharp'
import t from 'tap'
import { buildApp } from '../server/app.js'
import { activity, createHourlyContract, multipartForm } from './fixtures/hourly-contract.js'
import { planCaptures } from './fixtures/capture-plans.js'
import { build } from './helper.js'
import { balances, depositConfirmed, idem, makeOperator, verifyLedger } from './money.js'

t.setTimeout(180_000)

const RATE = 4321 // 43.21 USD per hour
const LIMIT = 295 // minutes per week

t.test('a week of hourly work, from tracker to ledger', async (t) => {
  const harness = await build(t)
  const { call, clock } = harness
  clock.set('2026-11-23T08:00:00Z') // Monday of 2026-W48
  const { contractId, client, freelancer } = await createHourlyContract(harness, {
    hourlyRate: RATE,
    weeklyLimitMinutes: LIMIT,
    manualTimeAllowed: true,
  })
  const operator = await makeOperator(harness)
  await depositConfirmed(harness, client, operator, 100_000)

  const image = await sharp({ create: { width: 640, height: 400, channels: 3, background: '#204060' } })
    .png()
    .toBuffer()
  const upload = async (segmentStart: string) => {
    await planCaptures(harness, contractId, {
      [segmentStart]: [new Date(Date.parse(segmentStart) + 4 * 60_000).toISOString()],
    })
    return call({
      method: 'POST',
      url: `/api/v1/contracts/${contractId}/screenshots`,
      token: freelancer.token,
      ...multipartForm(
        { segmentStart, capturedAt: new Date(Date.parse(segmentStart) + 4 * 60_000).toISOString() },
        { filename: 's.png', contentType: 'image/png', content: image },
      ),
    })
  }
  const shots = new Map<string, string>()

  // Monday to Friday, 09:00-10:20 each day: eight segments. Tuesday's last two are manual
  // time (no screenshot). Each evening the tracker uploads the day.
  const days = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']
  for (const [index, date] of days.entries()) {
    clock.set(`${date}T18:00:00Z`)
    const starts = Array.from(
      { length: 8 },
      (_, i) =>
        `${date}T${String(9 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')}:00.000Z`,
    )
    const manual = (start: string) =>
      index === 1 && (start.endsWith('10:00:00.000Z') || start.endsWith('10:10:00.000Z'))
    const put = await call({
      method: 'PUT',
      url: `/api/v1/contracts/${contractId}/segments`,
      token: freelancer.token,
      payload: {
        segments: starts.map((start) => ({
          start,
          activity: activity(),
          memo: `Work on ${date}`,
          manual: manual(start),
        })),
      },
    })
    t.equal(put.json().accepted.length, 8, `${date}: 8 segments`)
    for (const start of starts.filter((s) => !manual(s))) {
      const response = await upload(start)
      t.equal(response.statusCode, 201)
      shots.set(start, response.json().id)
    }
    if (index === 2) {
      const rejected = await call({
        method: 'POST',
        url: `/api/v1/screenshots/${shots.get(`${date}T09:30:00.000Z`)}/reject`,
        token: client.token,
        payload: { reason: 'Not this project' },
      })
      t.equal(rejected.statusCode, 200, 'the client rejects a Wednesday screenshot')
    }
    if (index === 3) {
      const deleted = await call({
        method: 'DELETE',
        url: `/api/v1/screenshots/${shots.get(`${date}T09:00:00.000Z`)}`,
        token: freelancer.token,
      })
      t.equal(deleted.statusCode, 204, 'the freelancer deletes a Thursday screenshot')
    }
  }

  // By hand: 40 segments = 400 minutes; Wednesday 09:30 (rejected) and Thursday 09:00 (deleted)
  // do not count: 380 minutes count, in time order against the 295-minute limit: Monday 80,
  // Tuesday 80 (160), Wednesday 70 (230), Thursday 65 of 70 (295); 5 + 80 minutes are over.
  // 295 min x 43.21/h = 21,244.9166... cents -> 21,245 (half up). Fee 10%: 2,124; net 19,121.
  const billable = 295
  const expected = 21_245
  const fee = 2_124
  const week = (
    await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/segments?week=2026-W48`, token: client.token })
  ).json()
  t.match(week.totals, {
    totalMinutes: 400,
    manualMinutes: 20,
    billableMinutes: billable,
    overLimitMinutes: 85,
    excludedMinutes: 20,
  })
  t.equal(
    week.segments.filter((s: { protected: boolean }) => s.protected).length,
    27,
    'protected: tracked, memo, screenshot, activity, within the limit',
  )
  const timesheetId = week.timesheet.id

  // Sunday night the freelancer forgets to submit. Monday 12:00 UTC the deadline does it.
  clock.set('2026-11-30T11:59:00Z')
  t.equal(await harness.app.scheduler.runDue(), 0, 'nothing is due before Monday 12:00')
  clock.set('2026-11-30T12:00:00Z')
  await harness.app.scheduler.runDue()
  const submitted = (
    await call({ method: 'GET', url: `/api/v1/timesheets/${timesheetId}`, token: client.token })
  ).json()
  t.match(submitted, {
    state: 'submitted',
    submittedBy: 'system',
    amount: expected,
    reviewDueAt: '2026-12-05T00:00:00.000Z',
  })
  t.match(submitted.totals, { billableMinutes: billable, protectedMinutes: 270, unprotectedMinutes: 25 })
  const draft = (
    await call({ method: 'GET', url: `/api/v1/invoices/${submitted.invoiceIds[0]}`, token: client.token })
  ).json()
  t.match(draft, {
    state: 'draft',
    number: null,
    total: expected,
    feeAmount: fee,
    periodStart: '2026-11-23',
    periodEnd: '2026-11-29',
  })

  // The week is locked: the offline tracker's late upload is refused, per segment, with a clear code.
  const late = await call({
    method: 'PUT',
    url: `/api/v1/contracts/${contractId}/segments`,
    token: freelancer.token,
    payload: { segments: [{ start: '2026-11-29T20:00:00Z', activity: activity() }] },
  })
  t.equal(late.statusCode, 409)
  t.same(
    late.json().rejected.map((r: { code: string }) => r.code),
    ['tracker.week_locked'],
  )
  t.equal((await upload('2026-11-24T10:00:00.000Z')).statusCode, 409, 'and so is a late screenshot')

  // Friday 23:59 passes with no word from the client: approved automatically.
  clock.set('2026-12-04T23:59:59Z')
  t.equal(await harness.app.scheduler.runDue(), 0)
  clock.set('2026-12-05T00:00:00Z')
  await harness.app.scheduler.runDue()
  const approved = (
    await call({ method: 'GET', url: `/api/v1/timesheets/${timesheetId}`, token: freelancer.token })
  ).json()
  t.match(approved, { state: 'approved', approvedBy: 'system', approvedMinutes: billable })
  const formal = (
    await call({ method: 'GET', url: `/api/v1/invoices/${approved.invoiceIds[0]}`, token: freelancer.token })
  ).json()
  t.match(formal, { state: 'paid', number: 1, total: expected, feeAmount: fee, freelancerNet: expected - fee })

  const afterApproval = { client: await balances(harness, client), freelancer: await balances(harness, freelancer) }
  t.equal(afterApproval.client.available, 100_000 - expected, 'the wallet paid exactly the invoice')
  t.equal(afterApproval.freelancer.earnings, expected - fee, 'the freelancer earned it less the fee')
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/timesheets/${timesheetId}/approve`,
        token: client.token,
        headers: idem(),
      })
    ).statusCode,
    409,
    'approving again moves nothing',
  )

  // Restart: a new process on the same database; every deadline runs again if it could.
  await harness.app.close()
  const app = await buildApp(harness.config, { clock, database: harness.database })
  t.teardown(() => app.close())
  await app.ready()
  clock.set('2026-12-20T00:00:00Z')
  await app.scheduler.runDue()
  const again = (options: InjectOptions & { token: string }) =>
    app.inject({ ...options, headers: { ...options.headers, authorization: `Bearer ${options.token}` } })
  const wallet = (await again({ method: 'GET', url: '/api/v1/wallet', token: client.token })).json()
  t.equal(
    Number(wallet.balances.find((b: { currency: string }) => b.currency === 'USD').available),
    100_000 - expected,
    'moved once, also across the restart',
  )
  const invoices = (
    await again({ method: 'GET', url: `/api/v1/invoices?contractId=${contractId}`, token: client.token })
  ).json()
  t.same(
    invoices.items.map((i: { number: number; state: string; total: number }) => [i.number, i.state, i.total]),
    [[1, 'paid', expected]],
    'one invoice, numbered 1',
  )
  const verified = await verifyLedger({ ...harness, app, call: again as never }, operator)
  t.equal(verified.ok, true, 'the ledger balances')
})
