import { randomInt } from 'node:crypto'
import { SEGMENT_MS } from '../tracker/index.js'
import { workviewErrors } from './workview.errors.js'

/**
 * The capture rule: the server picks each tracked segment's random capture moments when the
 * tracker opens (or continues) the segment, and a screenshot is accepted only when it was
 * taken close to one of them: from EARLY_MS before to LATE_MS after. Late is wider than early
 * because a tracker never captures before the moment, but a background tab's timers may fire
 * only once a minute, and grabbing and encoding the frame takes a few seconds more.
 */
export const EARLY_MS = 15_000
export const LATE_MS = 90_000
/** A tracker's clock may run a little ahead of the server's when it asks for a segment. */
const OPEN_SKEW_MS = 60_000

/** Random integers in [0, max): crypto by default, seeded in tests. */
export type RandomInt = (max: number) => number
export const cryptoRandomInt: RandomInt = (max) => (max <= 1 ? 0 : randomInt(max))

/**
 * `count` moments in what is left of the segment (from `from` on): the rest of the segment is
 * cut into `count` equal slots with one random instant in each, so captures spread over the
 * tracked time and none can be guessed from the previous one.
 */
export function pickMoments(input: { segmentStart: Date; from: Date; count: number; random: RandomInt }): Date[] {
  const end = input.segmentStart.getTime() + SEGMENT_MS
  const from = Math.max(input.segmentStart.getTime(), input.from.getTime())
  const span = end - from
  if (input.count <= 0 || span <= 0) return []
  const slot = Math.floor(span / input.count)
  return Array.from({ length: input.count }, (_, i) => new Date(from + i * slot + input.random(Math.max(slot, 1))))
}

/** The segment a tracker may open now: the current one (a clock a minute ahead is allowed). */
export function assertOpenable(segmentStart: Date, now: Date): void {
  const start = segmentStart.getTime()
  if (start > now.getTime() + OPEN_SKEW_MS) throw workviewErrors.segmentNotStarted()
  if (start + SEGMENT_MS <= now.getTime() - OPEN_SKEW_MS) throw workviewErrors.segmentOver()
}

const clockTime = (at: Date) => at.toISOString().slice(11, 19)

/** Refuses a screenshot taken far from every capture moment of its segment (or with none picked). */
export function assertNearMoment(moments: Date[] | null, capturedAt: Date): void {
  if (moments === null) throw workviewErrors.noCaptureMoment()
  if (moments.length === 0) throw workviewErrors.noScreenshotsInSegment()
  const at = capturedAt.getTime()
  const near = moments.some((m) => at >= m.getTime() - EARLY_MS && at <= m.getTime() + LATE_MS)
  if (near) return
  const nearest = moments.reduce((best, m) => (Math.abs(m.getTime() - at) < Math.abs(best.getTime() - at) ? m : best))
  const early = at < nearest.getTime()
  throw workviewErrors.offSchedule(
    `This screenshot was taken at ${clockTime(capturedAt)} UTC, ${early ? 'before' : 'after'} the segment's capture moment (${clockTime(nearest)} UTC) by more than ${(early ? EARLY_MS : LATE_MS) / 1000} seconds; screenshots are accepted from ${EARLY_MS / 1000} s before to ${LATE_MS / 1000} s after it`,
    { field: 'capturedAt', moment: nearest.toISOString() },
  )
}
