// The running draft of an open hourly week: the timesheet's amount grows as segments
// arrive, stops at the weekly limit, drops when the client rejects a screenshot, is pushed
// live (event stream and contract document), and equals the invoice the submission creates.
import sharp from 'sharp'
import t from 'tap'
import { activity, createHourlyContract, multipartForm } from '../../../test/fixtures/hourly-contract.js'
import { planCaptures } from '../../../test/fixtures/capture-plans.js'
import { listen, openEvents } from '../../../test/fixtures/websocket.js'
import { build } from '../../../test/helper.js'

t.setTimeout(180_000)

const RATE = 4321 // 43.21 USD per hour
const LIMIT = 35 // minutes per week: the fourth segment straddles it

t.test('an open week shows its running amount, live, and the invoice equals it', async (t) => {
  const harness = await build(t)
  const { call, clock, app } = harness
  clock.set('2026-11-24T18:00:00Z') // Tuesday of 2026-W48
  const { contractId, client, freelancer } = await createHourlyContract(harness, {
    hourlyRate: RATE,
    weeklyLimitMinutes: LIMIT,
  })
  const base = await listen(app)
  const clientEvents = await openEvents(`${base}/api/v1/events`, {
    headers: { authorization: `Bearer ${client.token}` },
  })
  t.teardown(() => clientEvents.socket.close())

  const put = async (starts: string[]) => {
    const response = await call({
      method: 'PUT',
      url: `/api/v1/contracts/${contractId}/segments`,
      token: freelancer.token,
      payload: { segments: starts.map((start) => ({ start, activity: activity(), memo: 'Building the importer' })) },
    })
    t.equal(response.json().accepted.length, starts.length)
  }
  const sheetOf = async () => {
    const list = (
      await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/timesheets`, token: client.token })
    ).json()
    return list.items[0]
  }
  const live = (timesheetId: string) =>
    app.realtime.read(
      `contract:${contractId}:state`,
      (doc) => doc.getMap('timesheets').get(timesheetId) as Record<string, unknown>,
    )
  const announced = (amount: number) =>
    clientEvents.next(
      (frame) => frame.type === 'timesheet.updated' && (frame.data as { amount?: number }).amount === amount,
      3000,
    )

  // One segment: 10 min x 43.21/h = 720.17 -> 720 (half up, once per week).
  await put(['2026-11-24T09:00:00.000Z'])
  let sheet = await sheetOf()
  t.match(
    sheet,
    { state: 'open', amount: 720, hourlyRate: RATE, currency: 'USD', totals: { billableMinutes: 10 } },
    'the open week carries a running amount',
  )
  const frame = await announced(720)
  t.match(
    frame.data,
    {
      contractId,
      timesheetId: sheet.id,
      week: '2026-W48',
      state: 'open',
      billableMinutes: 10,
      amount: 720,
      currency: 'USD',
    },
    'pushed on the event stream',
  )
  t.match(
    await live(sheet.id),
    { state: 'open', billableMinutes: 10, amount: 720 },
    'and written to the live contract document',
  )

  // Two more: 30 min -> 2160.5 -> 2161.
  await put(['2026-11-24T09:10:00.000Z', '2026-11-24T09:20:00.000Z'])
  sheet = await sheetOf()
  t.match(sheet, { amount: 2161, totals: { billableMinutes: 30 } }, 'it grows as segments upload')
  await announced(2161)
  t.match(await live(sheet.id), { billableMinutes: 30, amount: 2161 })

  // Two past the limit: only 5 of the fourth segment's minutes bill, none of the fifth's.
  await put(['2026-11-24T09:30:00.000Z', '2026-11-24T09:40:00.000Z'])
  sheet = await sheetOf()
  t.match(
    sheet,
    { amount: 2521, totals: { billableMinutes: 35, overLimitMinutes: 15 } },
    'the weekly limit applies: 35 min -> 2520.58 -> 2521',
  )
  await announced(2521)

  // The client rejects the screenshot of the first segment: it leaves the billable time, and
  // the fifth segment's minutes move under the limit (still 35 billable minutes).
  const image = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#335577' } })
    .png()
    .toBuffer()
  await planCaptures(harness, contractId, { '2026-11-24T09:00:00.000Z': ['2026-11-24T09:04:00.000Z'] })
  const shot = await call({
    method: 'POST',
    url: `/api/v1/contracts/${contractId}/screenshots`,
    token: freelancer.token,
    ...multipartForm(
      { segmentStart: '2026-11-24T09:00:00.000Z', capturedAt: '2026-11-24T09:04:00.000Z' },
      { filename: 's.png', contentType: 'image/png', content: image },
    ),
  })
  t.equal(shot.statusCode, 201)
  const rejected = await call({
    method: 'POST',
    url: `/api/v1/screenshots/${shot.json().id}/reject`,
    token: client.token,
    payload: { reason: 'Another project' },
  })
  t.equal(rejected.statusCode, 200)
  sheet = await sheetOf()
  t.match(
    sheet,
    { amount: 2521, totals: { billableMinutes: 35, overLimitMinutes: 5, excludedMinutes: 10 } },
    'a rejected segment leaves; the limit still caps',
  )

  // The freelancer removes the last segment: 30 billable minutes again.
  const removed = await call({
    method: 'DELETE',
    url: `/api/v1/contracts/${contractId}/segments?start=2026-11-24T09:40:00.000Z`,
    token: freelancer.token,
  })
  t.equal(removed.statusCode, 204)
  sheet = await sheetOf()
  t.match(
    sheet,
    { amount: 2161, totals: { billableMinutes: 30, overLimitMinutes: 0 } },
    'and shrinks when time is taken out',
  )
  await announced(2161)
  t.match(await live(sheet.id), { billableMinutes: 30, amount: 2161 })

  // Submitting freezes the week; its draft invoice bills exactly the running amount.
  const running = sheet.amount
  clock.set('2026-11-27T10:00:00Z')
  const submitted = await call({
    method: 'POST',
    url: `/api/v1/timesheets/${sheet.id}/submit`,
    token: freelancer.token,
    payload: {},
  })
  t.equal(submitted.statusCode, 200)
  t.match(submitted.json(), { state: 'submitted', amount: running })
  const draft = (
    await call({ method: 'GET', url: `/api/v1/invoices/${submitted.json().invoiceIds[0]}`, token: client.token })
  ).json()
  t.match(draft, { state: 'draft', total: running }, 'the invoice equals the running amount')
  t.match(await live(sheet.id), { state: 'submitted', amount: running })

  // A submitted week is frozen: a late upload changes neither the week nor its amount.
  const late = await call({
    method: 'PUT',
    url: `/api/v1/contracts/${contractId}/segments`,
    token: freelancer.token,
    payload: { segments: [{ start: '2026-11-26T09:00:00.000Z', activity: activity() }] },
  })
  t.equal(late.statusCode, 409)
  t.equal((await sheetOf()).amount, running)
})

t.test('a week past the limit from its first upload, and a contract without a limit', async (t) => {
  const harness = await build(t)
  const { call, clock } = harness
  clock.set('2026-11-24T18:00:00Z')
  const capped = await createHourlyContract(harness, { hourlyRate: 6000, weeklyLimitMinutes: 15 })
  const open = await createHourlyContract(harness, { hourlyRate: 6000, weeklyLimitMinutes: null })
  const starts = ['2026-11-24T09:00:00.000Z', '2026-11-24T09:10:00.000Z', '2026-11-24T09:20:00.000Z']
  for (const contract of [capped, open]) {
    const response = await call({
      method: 'PUT',
      url: `/api/v1/contracts/${contract.contractId}/segments`,
      token: contract.freelancer.token,
      payload: { segments: starts.map((start) => ({ start, activity: activity() })) },
    })
    t.equal(response.json().accepted.length, 3)
  }
  const sheet = async (contractId: string, token: string) =>
    (await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/timesheets`, token })).json().items[0]
  t.match(
    await sheet(capped.contractId, capped.freelancer.token),
    { amount: 1500, totals: { billableMinutes: 15, overLimitMinutes: 15 } },
    '15 min at 60/h',
  )
  t.match(
    await sheet(open.contractId, open.client.token),
    { amount: 3000, totals: { billableMinutes: 30, overLimitMinutes: 0 } },
    'no limit: every minute bills',
  )
})

t.test('a burst of uploads at once: the last announcement and the live state count every one', async (t) => {
  const harness = await build(t)
  const { call, clock, app } = harness
  clock.set('2026-11-24T18:00:00Z')
  const { contractId, client, freelancer } = await createHourlyContract(harness, { hourlyRate: RATE })
  const base = await listen(app)
  const clientEvents = await openEvents(`${base}/api/v1/events`, {
    headers: { authorization: `Bearer ${client.token}` },
  })
  t.teardown(() => clientEvents.socket.close())

  // Eight requests of one segment each, all in flight together (a tracker flushing after an outage).
  const starts = Array.from({ length: 8 }, (_, i) => new Date(Date.parse('2026-11-24T09:00:00Z') + i * 600_000))
  const responses = await Promise.all(
    starts.map((start) =>
      call({
        method: 'PUT',
        url: `/api/v1/contracts/${contractId}/segments`,
        token: freelancer.token,
        payload: { segments: [{ start: start.toISOString(), activity: activity(), memo: 'Importer' }] },
      }),
    ),
  )
  t.same(
    responses.map((r) => r.json().accepted.length),
    starts.map(() => 1),
    'every segment is accepted',
  )
  // 80 minutes x 43.21/h = 5761.33 -> 5761.
  const frame = await clientEvents.next(
    (f) => f.type === 'timesheet.updated' && (f.data as { billableMinutes?: number }).billableMinutes === 80,
    3000,
  )
  t.match(frame.data, { amount: 5761, billableMinutes: 80 }, 'the last announcement counts all eight')
  const list = (
    await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/timesheets`, token: client.token })
  ).json()
  t.match(
    await app.realtime.read(`contract:${contractId}:state`, (doc) => doc.getMap('timesheets').get(list.items[0].id)),
    { billableMinutes: 80, amount: 5761 },
    'and so does the live contract document',
  )
})
