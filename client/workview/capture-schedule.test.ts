import t from 'tap'
import { createCaptureSchedule, nextCapture, SEGMENT_MS } from './capture-schedule.js'

t.test('one random instant per segment, seedable', async (t) => {
  const a = createCaptureSchedule({ seed: 'contract-1' })
  const b = createCaptureSchedule({ seed: 'contract-1' })
  const c = createCaptureSchedule({ seed: 'contract-2' })
  const start = Date.parse('2026-11-23T09:00:00Z')
  const instants = Array.from({ length: 200 }, (_, i) => a.instantsFor(start + i * SEGMENT_MS))
  t.ok(
    instants.every(
      (list, i) =>
        list.length === 1 &&
        list[0]!.getTime() >= start + i * SEGMENT_MS &&
        list[0]!.getTime() < start + (i + 1) * SEGMENT_MS,
    ),
    'inside each segment',
  )
  t.same(b.instantsFor(start + 5 * SEGMENT_MS), instants[5], 'the same seed gives the same instant, asked in any order')
  t.not(c.instantsFor(start)[0]!.getTime(), instants[0]![0]!.getTime(), 'another seed another instant')
  const offsets = instants.map((list) => (list[0]!.getTime() - start) % SEGMENT_MS)
  t.ok(
    offsets.some((o) => o < SEGMENT_MS / 4) && offsets.some((o) => o > (3 * SEGMENT_MS) / 4),
    'spread over the segment',
  )
  t.equal(new Set(offsets).size > 150, true, 'not predictable from the previous segment')
})

t.test('0 to 3 per segment, spread in slots', async (t) => {
  const start = Date.parse('2026-11-23T09:10:00Z')
  t.same(createCaptureSchedule({ count: 0, seed: 's' }).instantsFor(start), [])
  const three = createCaptureSchedule({ count: 3, seed: 's' })
    .instantsFor(start)
    .map((d) => d.getTime() - start)
  t.equal(three.length, 3)
  three.forEach((offset, i) =>
    t.ok(offset >= (i * SEGMENT_MS) / 3 && offset < ((i + 1) * SEGMENT_MS) / 3, `capture ${i + 1} in its slot`),
  )
  t.throws(() => createCaptureSchedule({ count: 4 }), RangeError)
  t.throws(() => createCaptureSchedule().instantsFor(start + 1), RangeError, 'segments are aligned')
  t.equal(createCaptureSchedule().count, 1, 'one per segment by default')
})

t.test('next capture walks forward', async (t) => {
  const schedule = createCaptureSchedule({ seed: 'x' })
  const now = Date.parse('2026-11-23T09:05:00Z')
  const next = nextCapture(schedule, now)!
  t.ok(next.getTime() >= now && next.getTime() < now + 2 * SEGMENT_MS)
  t.equal(nextCapture(createCaptureSchedule({ count: 0 }), now), null)
})
