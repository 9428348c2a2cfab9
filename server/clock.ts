/** Time comes in through this, so tests can move it (deadlines, weeks, windows). */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

export interface TestClock extends Clock {
  set(at: Date | string): void
  advance(ms: number): void
}

export function createTestClock(start: Date | string = '2026-11-23T09:00:00Z'): TestClock {
  let current = new Date(start).getTime()
  return {
    now: () => new Date(current),
    set(at) {
      current = new Date(at).getTime()
    },
    advance(ms) {
      current += ms
    },
  }
}

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
