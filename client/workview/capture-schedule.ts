/**
 * When the tracker takes Work View screenshots: `count` random instants inside each
 * 10-minute segment (1 by default, 0-3 as the contract's Work View settings say). The
 * segment is cut into `count` equal slots with one instant in each, so captures spread
 * over the segment and cannot be predicted from the previous one.
 *
 * Seedable: the same seed and segment give the same instants (tests, replays); without a
 * seed the tracker draws one at start-up from crypto.getRandomValues. No server code here.
 */

export const SEGMENT_MS = 10 * 60_000
export const MAX_CAPTURES_PER_SEGMENT = 3

export interface CaptureScheduleOptions {
  /** Screenshots per segment, 0-3. */
  count?: number
  /** Any string; the same seed gives the same schedule. */
  seed?: string
}

export interface CaptureSchedule {
  /** The capture instants of the segment starting at `segmentStart` (aligned to 10 minutes), sorted. */
  instantsFor(segmentStart: Date | number | string): Date[]
  readonly count: number
}

export function createCaptureSchedule(options: CaptureScheduleOptions = {}): CaptureSchedule {
  const count = options.count ?? 1
  if (!Number.isInteger(count) || count < 0 || count > MAX_CAPTURES_PER_SEGMENT) {
    throw new RangeError(`count must be an integer from 0 to ${MAX_CAPTURES_PER_SEGMENT}`)
  }
  const seed = options.seed ?? randomSeed()
  return {
    count,
    instantsFor(segmentStart) {
      const start = new Date(segmentStart).getTime()
      if (!Number.isFinite(start) || start % SEGMENT_MS !== 0)
        throw new RangeError('segmentStart must be on a 10-minute boundary')
      // One generator per segment, keyed by seed and start: the schedule of a segment does
      // not depend on which segments were asked for before it.
      const next = mulberry32(hash32(`${seed}:${start}`))
      const slot = Math.floor(SEGMENT_MS / Math.max(count, 1))
      return Array.from({ length: count }, (_, i) => new Date(start + i * slot + Math.floor(next() * slot)))
    },
  }
}

/** The next capture at or after `now` for a schedule: walks forward segment by segment. */
export function nextCapture(schedule: CaptureSchedule, now: Date | number): Date | null {
  if (schedule.count === 0) return null
  const at = new Date(now).getTime()
  for (let segment = at - (at % SEGMENT_MS); ; segment += SEGMENT_MS) {
    const upcoming = schedule.instantsFor(segment).find((instant) => instant.getTime() >= at)
    if (upcoming) return upcoming
  }
}

function randomSeed(): string {
  const bytes = new Uint32Array(2)
  globalThis.crypto.getRandomValues(bytes)
  return `${bytes[0]}-${bytes[1]}`
}

/** FNV-1a, 32 bits: turns the seed string into the generator's state. */
function hash32(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A small, well-distributed PRNG (not for secrets: the schedule only has to be unpredictable to a glance). */
function mulberry32(state: number): () => number {
  let a = state
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
