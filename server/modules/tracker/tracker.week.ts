import { DAY, HOUR, MINUTE } from '../../clock.js'

/** Tracker time is kept in 10-minute segments aligned to the clock (:00, :10, ...). */
export const SEGMENT_MINUTES = 10
export const SEGMENT_MS = SEGMENT_MINUTES * MINUTE
export const WEEK_MS = 7 * DAY

/** Monday 00:00 UTC of the ISO week holding `at`. */
export function weekStartOf(at: Date): Date {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate())
  const daysSinceMonday = (at.getUTCDay() + 6) % 7
  return new Date(midnight - daysSinceMonday * DAY)
}

/** `2026-W48` -> Monday 00:00 UTC of that ISO week; null when it is not a real week. */
export function parseIsoWeek(label: string): Date | null {
  const match = /^(\d{4})-W(\d{2})$/.exec(label)
  if (!match) return null
  const year = Number(match[1])
  const week = Number(match[2])
  if (week < 1 || week > 53) return null
  // Week 1 is the week with January 4th in it.
  const start = new Date(weekStartOf(new Date(Date.UTC(year, 0, 4))).getTime() + (week - 1) * WEEK_MS)
  return isoWeekLabel(start) === label ? start : null
}

/** The ISO week label (`2026-W48`) of a week starting at `weekStart`. */
export function isoWeekLabel(weekStart: Date): string {
  // The ISO year is the year of the week's Thursday.
  const thursday = new Date(weekStart.getTime() + 3 * DAY)
  const year = thursday.getUTCFullYear()
  const firstMonday = weekStartOf(new Date(Date.UTC(year, 0, 4)))
  const week = Math.round((weekStart.getTime() - firstMonday.getTime()) / WEEK_MS) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

/**
 * Until Monday `hour`:00 UTC after the week the freelancer may adjust and submit; then it is
 * submitted for them. The hour is the operator's `timesheetSubmitHour`; 12 was the rule before.
 */
export function submitDeadlineOf(weekStart: Date, hour = 12): Date {
  return new Date(weekStart.getTime() + WEEK_MS + hour * HOUR)
}

/**
 * The client reviews until `days` after the week ends, the operator's `timesheetReviewDays`;
 * 5, the rule before, is until Friday 23:59:59.999 UTC (the deadline is Saturday 00:00).
 */
export function reviewDeadlineOf(weekStart: Date, days = 5): Date {
  return new Date(weekStart.getTime() + WEEK_MS + days * DAY)
}

/** A timesheet's submit deadline: set when the timesheet was created (older weeks: Monday 12:00 UTC). */
export const submitDueOf = (sheet: { weekStart: Date; submitDueAt: Date | null }): Date =>
  sheet.submitDueAt ?? submitDeadlineOf(sheet.weekStart)

export function isAligned(at: Date): boolean {
  return at.getTime() % SEGMENT_MS === 0
}
