import { eq } from 'drizzle-orm'
import t from 'tap'
import { contractsTable } from '../../../db/schema/index.js'
import { HOUR, MINUTE } from '../../clock.js'
import { activity, createHourlyContract } from '../../../test/fixtures/hourly-contract.js'
import { build } from '../../../test/helper.js'
import { amountFor, computeWeek } from './tracker.billing.js'
import { isoWeekLabel, parseIsoWeek, weekStartOf } from './tracker.week.js'

t.setTimeout(60_000)

const at = (iso: string) => new Date(iso)

t.test('ISO weeks and rounding are exact', async (t) => {
  t.equal(parseIsoWeek('2026-W48')?.toISOString(), '2026-11-23T00:00:00.000Z')
  t.equal(parseIsoWeek('2026-W01')?.toISOString(), '2025-12-29T00:00:00.000Z', 'week 1 holds January 4th')
  t.equal(parseIsoWeek('2025-W53'), null, '2025 has 52 weeks')
  t.equal(parseIsoWeek('2026-W53')?.toISOString(), '2026-12-28T00:00:00.000Z', '2026 has 53')
  t.equal(parseIsoWeek('2020-W53')?.toISOString(), '2020-12-28T00:00:00.000Z')
  t.equal(isoWeekLabel(at('2025-12-29T00:00:00Z')), '2026-W01')
  t.equal(
    weekStartOf(at('2026-11-29T23:59:59Z')).toISOString(),
    '2026-11-23T00:00:00.000Z',
    'Sunday belongs to the week before',
  )
  t.equal(amountFor(10, 4500), 750)
  t.equal(amountFor(1, 4999), 83, '83.316 rounds down')
  t.equal(amountFor(1, 30), 1, 'half a minor unit rounds up')
  t.equal(amountFor(1, 29), 0)
  t.equal(amountFor(10_080, 999_999_999), 167_999_999_832, 'large products stay exact')
})

t.test('limit, exclusions and protection', async (t) => {
  const seg = (start: string, extra: Partial<{ manual: boolean; memo: string; keys: number }> = {}) => ({
    start: at(start),
    manual: extra.manual ?? false,
    memo: extra.memo ?? 'work',
    activity: activity(extra.keys ?? 5, extra.keys ?? 5),
  })
  const { segments, totals } = computeWeek(
    [
      seg('2026-11-23T09:00:00Z'),
      seg('2026-11-23T09:10:00Z', { manual: true }),
      seg('2026-11-23T09:20:00Z', { memo: ' ' }),
      seg('2026-11-23T09:30:00Z', { keys: 0 }),
      seg('2026-11-23T09:40:00Z'),
      seg('2026-11-23T09:50:00Z'),
    ],
    [
      { segmentStart: at('2026-11-23T09:00:00Z'), state: 'active' },
      { segmentStart: at('2026-11-23T09:20:00Z'), state: 'active' },
      { segmentStart: at('2026-11-23T09:30:00Z'), state: 'active' },
      { segmentStart: at('2026-11-23T09:40:00Z'), state: 'rejected' },
      { segmentStart: at('2026-11-23T09:50:00Z'), state: 'active' },
    ],
    { weeklyLimitMinutes: 45, manualTimeAllowed: true },
  )
  t.same(
    segments.map((s) => [
      s.billing.billableMinutes,
      s.billing.protected,
      s.billing.unprotectedReasons,
      s.billing.notBillableReasons,
    ]),
    [
      [10, true, [], []],
      [10, false, ['manual', 'no_screenshot'], []],
      [10, false, ['no_memo'], []],
      [10, false, ['no_activity'], []],
      [0, false, ['not_billable', 'no_screenshot'], ['screenshot_rejected']],
      [5, false, ['over_limit'], []],
    ],
  )
  t.match(totals, {
    totalMinutes: 60,
    billableMinutes: 45,
    overLimitMinutes: 5,
    excludedMinutes: 10,
    protectedMinutes: 10,
    unprotectedMinutes: 35,
    manualMinutes: 10,
  })
})

t.test('segment uploads: per-segment answers, access, idempotence, weekly lock', async (t) => {
  const harness = await build(t)
  const { call, clock, register } = harness
  // Monday 2026-11-23 09:00 UTC is the test clock's start; work through Tuesday.
  clock.set('2026-11-24T18:00:00Z')
  const { contractId, client, freelancer } = await createHourlyContract(harness, { weeklyLimitMinutes: 30 })
  const stranger = await register('Stranger')
  const url = `/api/v1/contracts/${contractId}/segments`
  const put = (token: string, segments: unknown[]) => call({ method: 'PUT', url, token, payload: { segments } })

  const batch = [
    { start: '2026-11-24T10:00:00Z', activity: activity(), memo: 'Header layout' },
    { start: '2026-11-24T10:05:00Z', activity: activity() },
    { start: '2026-11-24T17:55:00.000Z', activity: activity() },
    { start: '2026-11-24T18:00:00Z', activity: activity() },
    { start: '2026-11-24T10:10:00Z', activity: activity(1001, 0) },
    { start: '2026-11-24T10:20:00Z', activity: activity().slice(0, 9) },
    { start: '2026-11-24T10:30:00Z', activity: activity(), manual: true },
    { start: '2026-11-24T10:40:00Z', activity: activity(), memo: 'x'.repeat(501) },
    { start: 'yesterday', activity: activity() },
    { start: '2026-10-01T10:00:00Z', activity: activity() },
    { start: '2026-11-24T10:50:00Z', activity: activity(0, 0) },
    { start: '2026-11-24T10:00:00Z', activity: activity() },
  ]
  const first = await put(freelancer.token, batch)
  t.equal(first.statusCode, 200, first.body)
  t.same(
    first.json().accepted.map((a: { start: string }) => a.start),
    ['2026-11-24T10:00:00.000Z', '2026-11-24T10:50:00.000Z'],
  )
  t.same(
    first.json().rejected.map((r: { start: string; code: string }) => [r.start, r.code]),
    [
      ['2026-11-24T10:05:00Z', 'tracker.misaligned'],
      ['2026-11-24T17:55:00.000Z', 'tracker.misaligned'],
      ['2026-11-24T18:00:00Z', 'tracker.future_segment'],
      ['2026-11-24T10:10:00Z', 'tracker.activity_out_of_bounds'],
      ['2026-11-24T10:20:00Z', 'tracker.invalid_activity'],
      ['2026-11-24T10:30:00Z', 'tracker.manual_not_allowed'],
      ['2026-11-24T10:40:00Z', 'tracker.memo_too_long'],
      ['yesterday', 'tracker.invalid_start'],
      ['2026-10-01T10:00:00Z', 'tracker.before_contract'],
      ['2026-11-24T10:00:00Z', 'tracker.duplicate_in_batch'],
    ],
  )
  t.ok(
    first.json().rejected.every((r: { message: string }) => r.message.length > 0),
    'each rejection says why',
  )

  t.equal((await put(client.token, batch.slice(0, 1))).statusCode, 403, 'the client reads, does not upload')
  t.equal((await put(stranger.token, batch.slice(0, 1))).statusCode, 404)
  t.equal((await call({ method: 'GET', url, token: stranger.token })).statusCode, 404)
  t.equal((await put(freelancer.token, [{ ...batch[0], extra: 1 }])).statusCode, 400, 'unknown fields are refused')
  t.equal(
    (
      await put(
        freelancer.token,
        Array.from({ length: 201 }, () => batch[0]),
      )
    ).statusCode,
    400,
    'at most 200 per batch',
  )

  // An offline tracker replays its cache out of order, twice: each start is stored once, the last upload wins.
  const cached = ['11:30', '11:00', '11:20', '11:10'].map((hm) => ({
    start: `2026-11-24T${hm}:00Z`,
    activity: activity(),
    memo: `at ${hm}`,
  }))
  t.equal((await put(freelancer.token, cached)).json().accepted.length, 4)
  t.equal(
    (
      await put(
        freelancer.token,
        [...cached].reverse().map((s) => ({ ...s, memo: `${s.memo} again` })),
      )
    ).json().accepted.length,
    4,
  )

  const week = await call({ method: 'GET', url: `${url}?week=2026-W48`, token: client.token })
  t.equal(week.statusCode, 200, week.body)
  const view = week.json()
  t.same(
    view.segments.map((s: { start: string }) => s.start.slice(11, 16)),
    ['10:00', '10:50', '11:00', '11:10', '11:20', '11:30'],
    'six segments, each once, in time order',
  )
  t.equal(view.segments[2].memo, 'at 11:00 again')
  t.match(
    view.totals,
    { totalMinutes: 60, billableMinutes: 30, overLimitMinutes: 30 },
    'the weekly limit of 30 minutes holds',
  )
  t.same(view.segments[1].unprotectedReasons, ['no_memo', 'no_screenshot', 'no_activity'])
  t.same(view.segments[3].notBillableReasons, ['over_limit'])
  t.equal(view.timesheet.state, 'open')
  t.equal((await call({ method: 'GET', url: `${url}?week=2026-W99`, token: client.token })).statusCode, 400)

  const removed = await call({ method: 'DELETE', url: `${url}?start=2026-11-24T10:50:00Z`, token: freelancer.token })
  t.equal(removed.statusCode, 204)
  t.equal(
    (await call({ method: 'GET', url, token: freelancer.token })).json().segments.length,
    5,
    'the freelancer adjusted the week',
  )

  // Monday 12:00 UTC after the week: the week is closed even before its deadline ran.
  clock.set(new Date(Date.parse('2026-11-30T12:00:00Z')).toISOString())
  const late = await put(freelancer.token, [{ start: '2026-11-24T12:00:00Z', activity: activity() }])
  t.equal(late.statusCode, 409, 'an upload into a locked week answers 409')
  t.equal(late.json().code, 'tracker.week_locked')
  t.same(
    late.json().rejected.map((r: { code: string }) => r.code),
    ['tracker.week_locked'],
  )
  const removeLate = await call({ method: 'DELETE', url: `${url}?start=2026-11-24T10:00:00Z`, token: freelancer.token })
  t.equal(removeLate.statusCode, 409)
  t.equal(removeLate.json().code, 'tracker.week_locked')
  clock.advance(HOUR + MINUTE)
  const mixed = await put(freelancer.token, [
    { start: '2026-11-30T12:50:00Z', activity: activity() },
    { start: '2026-11-29T12:50:00Z', activity: activity() },
  ])
  t.equal(mixed.statusCode, 200, 'a batch across weeks keeps what it can')
  t.same(
    [mixed.json().accepted.length, mixed.json().rejected[0].code],
    [1, 'tracker.week_locked'],
    'the new week is open, the old one locked',
  )
})

t.test('work diary export, CSV and JSON, for both parties after the contract ended', async (t) => {
  const harness = await build(t)
  const { app, call, clock, register } = harness
  clock.set('2026-11-20T18:00:00Z')
  const { contractId, client, freelancer } = await createHourlyContract(harness, { manualTimeAllowed: true })
  const put = (segments: unknown[]) =>
    call({
      method: 'PUT',
      url: `/api/v1/contracts/${contractId}/segments`,
      token: freelancer.token,
      payload: { segments },
    })
  await put([{ start: '2026-11-16T10:00:00Z', activity: activity(), memo: 'Last week' }])
  clock.set('2026-11-24T18:00:00Z')
  await call({
    method: 'PUT',
    url: `/api/v1/contracts/${contractId}/segments`,
    token: freelancer.token,
    payload: {
      segments: [
        { start: '2026-11-24T10:00:00Z', activity: activity(), memo: '=HYPERLINK("http://evil")' },
        { start: '2026-11-24T10:10:00Z', activity: activity(0, 0), memo: 'Call, "quoted"', manual: true },
      ],
    },
  })
  await app.db
    .update(contractsTable)
    .set({ state: 'ended', endedAt: clock.now() })
    .where(eq(contractsTable.id, contractId))
  for (const who of [client, freelancer]) {
    const json = await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/work-diary`, token: who.token })
    t.equal(json.statusCode, 200)
    t.match(json.headers['content-disposition'], /attachment; filename="work-diary-.*\.json"/)
    const diary = json.json()
    t.same(
      diary.weeks.map((w: { week: string }) => w.week),
      ['2026-W47', '2026-W48'],
    )
    t.equal(diary.contract.state, 'ended')
    t.same(
      diary.weeks[1].segments.map((s: { memo: string; manual: boolean }) => [s.memo, s.manual]),
      [
        ['=HYPERLINK("http://evil")', false],
        ['Call, "quoted"', true],
      ],
    )
  }
  const csv = await call({
    method: 'GET',
    url: `/api/v1/contracts/${contractId}/work-diary?format=csv`,
    token: client.token,
  })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  const lines = csv.body.trim().split('\n')
  t.equal(lines.length, 4, 'a header and one row per segment')
  t.match(lines[0], /^week,start,end,manual,memo,/)
  t.match(lines[2], /,"'=HYPERLINK\(""http:\/\/evil""\)",/, 'a formula is defused and quotes are escaped')
  t.match(lines[3], /,true,"Call, ""quoted""",0,0,0,10,/)
  const stranger = await register('Stranger')
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/work-diary`, token: stranger.token }))
      .statusCode,
    404,
  )
})

t.test('a segment the tracker started inside bills only the minutes it tracked', async (t) => {
  const harness = await build(t)
  const { call, clock } = harness
  clock.set('2026-11-24T18:00:00Z')
  const { contractId, freelancer } = await createHourlyContract(harness)
  const url = `/api/v1/contracts/${contractId}/segments`
  // Started at 10:09: minutes 0-8 were not tracked; stopped at 10:23: minutes 4-9 were not.
  const startedLate = activity().map((m, i) => (i < 9 ? { ...m, tracked: false } : m))
  const stoppedEarly = activity(0, 0).map((m, i) => (i >= 4 ? { ...m, tracked: false } : m))
  const nothing = activity().map((m) => ({ ...m, tracked: false }))
  const upload = await call({
    method: 'PUT',
    url,
    token: freelancer.token,
    payload: {
      segments: [
        { start: '2026-11-24T10:00:00Z', activity: startedLate, memo: 'late start' },
        { start: '2026-11-24T10:10:00Z', activity: activity() },
        { start: '2026-11-24T10:20:00Z', activity: stoppedEarly },
        { start: '2026-11-24T10:30:00Z', activity: nothing },
      ],
    },
  })
  t.equal(upload.statusCode, 200, upload.body)
  t.same(
    upload.json().rejected.map((r: { code: string }) => r.code),
    ['tracker.nothing_tracked'],
    'a segment with no tracked minute is refused',
  )
  const week = (await call({ method: 'GET', url: `${url}?week=2026-W48`, token: freelancer.token })).json()
  t.same(
    week.segments.map((s: { minutes: number; billableMinutes: number }) => [s.minutes, s.billableMinutes]),
    [
      [1, 1],
      [10, 10],
      [4, 4],
    ],
  )
  t.equal(week.segments[0].activity[0].tracked, false, 'the untracked minutes are stored as such')
  t.match(week.totals, { totalMinutes: 15, trackedMinutes: 15, billableMinutes: 15 })
})
