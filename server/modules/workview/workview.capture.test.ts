import sharp from 'sharp'
import t from 'tap'
import { planCaptures } from '../../../test/fixtures/capture-plans.js'
import { activity, createHourlyContract, multipartForm } from '../../../test/fixtures/hourly-contract.js'
import { build } from '../../../test/helper.js'

t.setTimeout(120_000)

t.test('the server picks each segment’s capture moments, once, in what is left of the current segment', async (t) => {
  const harness = await build(t)
  const { call, clock, register } = harness
  clock.set('2026-11-24T12:03:30Z')
  const { contractId, client, freelancer } = await createHourlyContract(harness)
  const stranger = await register('Stranger')
  const open = (segmentStart: string, token = freelancer.token, extra: Record<string, unknown> = {}) =>
    call({
      method: 'POST',
      url: `/api/v1/contracts/${contractId}/workview/segment`,
      token,
      payload: { segmentStart, ...extra },
    })

  const first = await open('2026-11-24T12:00:00Z', freelancer.token, { activity: activity().slice(0, 4), memo: 'API' })
  t.equal(first.statusCode, 200, first.body)
  const plan = first.json()
  t.equal(plan.captureMoments.length, 1, 'one screenshot per segment by default')
  const moment = Date.parse(plan.captureMoments[0])
  t.ok(
    moment >= Date.parse('2026-11-24T12:03:30Z') && moment < Date.parse('2026-11-24T12:10:00Z'),
    `the moment ${plan.captureMoments[0]} lies in the rest of the segment`,
  )
  t.match(plan, { earlySeconds: 15, lateSeconds: 90, serverTime: '2026-11-24T12:03:30.000Z' })

  clock.advance(60_000)
  t.same((await open('2026-11-24T12:00:00Z')).json().captureMoments, plan.captureMoments, 'asking again: the same')
  t.equal((await open('2026-11-24T12:00:00Z', client.token)).statusCode, 403, 'the client cannot open segments')
  t.equal((await open('2026-11-24T12:00:00Z', stranger.token)).statusCode, 404, 'a stranger sees nothing')
  t.equal((await open('2026-11-24T12:01:00Z')).json().code, 'workview.invalid_segment')
  t.equal((await open('2026-11-24T11:50:00Z')).json().code, 'workview.segment_over', 'a finished segment')
  t.equal((await open('2026-11-24T12:20:00Z')).json().code, 'workview.segment_not_started', 'a later segment')

  // Three per segment: spread over the rest of the segment, one in each third.
  await call({
    method: 'PUT',
    url: `/api/v1/contracts/${contractId}/workview`,
    token: client.token,
    payload: { screenshotsPerSegment: 3 },
  })
  clock.set('2026-11-24T12:10:00Z')
  const three = (await open('2026-11-24T12:10:00Z')).json().captureMoments.map((m: string) => Date.parse(m))
  t.equal(three.length, 3)
  three.forEach((at: number, i: number) => {
    const from = Date.parse('2026-11-24T12:10:00Z') + i * 200_000
    t.ok(at >= from && at < from + 200_000, `moment ${i + 1} in its third of the segment`)
  })
})

t.test('a screenshot far from its segment’s capture moment is refused; one near it is taken', async (t) => {
  const harness = await build(t)
  const { call, clock } = harness
  clock.set('2026-11-24T12:00:00Z')
  const { contractId, freelancer } = await createHourlyContract(harness)
  const image = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#224466' } })
    .png()
    .toBuffer()
  const upload = (capturedAt: string, segmentStart = '2026-11-24T10:00:00Z') =>
    call({
      method: 'POST',
      url: `/api/v1/contracts/${contractId}/screenshots`,
      token: freelancer.token,
      ...multipartForm({ segmentStart, capturedAt }, { filename: 'a.png', contentType: 'image/png', content: image }),
    })

  const unplanned = await upload('2026-11-24T10:40:00Z', '2026-11-24T10:40:00Z')
  t.equal(unplanned.statusCode, 409, 'a segment the server gave no moment')
  t.equal(unplanned.json().code, 'workview.no_capture_moment')

  await planCaptures(harness, contractId, { '2026-11-24T10:00:00Z': ['2026-11-24T10:04:00Z'] })
  const early = await upload('2026-11-24T10:03:44Z')
  t.equal(early.statusCode, 422, '16 s before the moment')
  t.match(early.json(), { code: 'workview.off_schedule', field: 'capturedAt', moment: '2026-11-24T10:04:00.000Z' })
  t.match(early.json().message, /10:03:44 UTC, before the segment's capture moment \(10:04:00 UTC\)/)
  const late = await upload('2026-11-24T10:05:31Z')
  t.equal(late.statusCode, 422, '91 s after the moment')
  t.match(late.json().message, /after the segment's capture moment/)
  t.equal((await upload('2026-11-24T10:03:45Z')).statusCode, 201, '15 s before: taken')
  t.equal((await upload('2026-11-24T10:05:30Z')).json().code, 'workview.segment_full', 'one moment, one screenshot')

  await planCaptures(harness, contractId, { '2026-11-24T10:10:00Z': ['2026-11-24T10:14:00Z'] })
  t.equal((await upload('2026-11-24T10:15:30Z', '2026-11-24T10:10:00Z')).statusCode, 201, '90 s after: taken')

  await planCaptures(harness, contractId, { '2026-11-24T10:20:00Z': [] })
  t.equal(
    (await upload('2026-11-24T10:24:00Z', '2026-11-24T10:20:00Z')).json().code,
    'workview.no_screenshots',
    'a segment opened while the contract took none',
  )
  const week = (
    await call({
      method: 'GET',
      url: `/api/v1/contracts/${contractId}/segments?week=2026-W48`,
      token: freelancer.token,
    })
  ).json()
  t.same(
    week.openSegments.map((s: { start: string; screenshots: unknown[] }) => [s.start, s.screenshots.length]),
    [
      ['2026-11-24T10:00:00.000Z', 1],
      ['2026-11-24T10:10:00.000Z', 1],
    ],
    'screenshots of segments not recorded yet are listed with them',
  )
})
