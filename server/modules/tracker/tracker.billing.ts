import type { MinuteActivity } from '../../../db/schema/index.js'
import { SEGMENT_MINUTES } from './tracker.week.js'

/**
 * The billing rules of one week, in one pure function so the segment list, the timesheet,
 * the draft invoice and the export all agree:
 *
 * - A segment records the minutes the tracker ran in it (a tracker started or stopped inside
 *   it marks the other minutes `tracked: false`); manual time is always the whole 10.
 * - A segment counts unless one of its screenshots was deleted by the freelancer or
 *   rejected by the client, or it is manual time the binding terms do not allow.
 * - Counted minutes are billable in time order until the weekly limit; minutes past it
 *   are recorded and shown (`overLimitMinutes`) but not billable. A segment can straddle
 *   the limit (a limit of 125 minutes bills 5 minutes of the 13th segment).
 * - A billable segment is protected when it is tracked (not manual), has a memo, has a
 *   kept screenshot, had some activity, and is entirely within the limit.
 */

export type NotBillableReason = 'screenshot_deleted' | 'screenshot_rejected' | 'manual_not_allowed' | 'over_limit'
export type UnprotectedReason = 'not_billable' | 'manual' | 'no_memo' | 'no_screenshot' | 'no_activity' | 'over_limit'

export interface BillingSegment {
  start: Date
  manual: boolean
  memo: string
  activity: MinuteActivity[]
}

export interface BillingScreenshot {
  segmentStart: Date
  state: string
}

export interface BillingTerms {
  weeklyLimitMinutes: number | null
  manualTimeAllowed: boolean
}

export interface SegmentBilling {
  minutes: number
  billableMinutes: number
  overLimitMinutes: number
  billable: boolean
  notBillableReasons: NotBillableReason[]
  protected: boolean
  unprotectedReasons: UnprotectedReason[]
}

export interface WeekTotals {
  /** Every recorded minute, billable or not. */
  totalMinutes: number
  trackedMinutes: number
  manualMinutes: number
  billableMinutes: number
  overLimitMinutes: number
  /** Minutes taken out by a deleted or rejected screenshot (or manual time not allowed). */
  excludedMinutes: number
  /** Billable minutes of protected segments / of the others. */
  protectedMinutes: number
  unprotectedMinutes: number
}

/** The minutes a segment records: the tracked ones (manual time: all 10). */
export function segmentMinutes(segment: Pick<BillingSegment, 'manual' | 'activity'>): number {
  if (segment.manual) return SEGMENT_MINUTES
  return segment.activity.filter((m) => m.tracked !== false).length
}

export function computeWeek<S extends BillingSegment>(
  segments: readonly S[],
  screenshots: readonly BillingScreenshot[],
  terms: BillingTerms,
): { segments: Array<S & { billing: SegmentBilling }>; totals: WeekTotals } {
  const shots = new Map<number, string[]>()
  for (const shot of screenshots) {
    const key = shot.segmentStart.getTime()
    shots.set(key, [...(shots.get(key) ?? []), shot.state])
  }
  const ordered = [...segments].sort((a, b) => a.start.getTime() - b.start.getTime())
  let remaining = terms.weeklyLimitMinutes ?? Number.POSITIVE_INFINITY
  const totals: WeekTotals = {
    totalMinutes: 0,
    trackedMinutes: 0,
    manualMinutes: 0,
    billableMinutes: 0,
    overLimitMinutes: 0,
    excludedMinutes: 0,
    protectedMinutes: 0,
    unprotectedMinutes: 0,
  }
  const out = ordered.map((segment) => {
    const states = shots.get(segment.start.getTime()) ?? []
    const minutes = segmentMinutes(segment)
    totals.totalMinutes += minutes
    if (segment.manual) totals.manualMinutes += minutes
    else totals.trackedMinutes += minutes

    const notBillableReasons: NotBillableReason[] = []
    if (states.includes('deleted')) notBillableReasons.push('screenshot_deleted')
    if (states.includes('rejected')) notBillableReasons.push('screenshot_rejected')
    if (segment.manual && !terms.manualTimeAllowed) notBillableReasons.push('manual_not_allowed')

    let billableMinutes = 0
    let overLimitMinutes = 0
    if (notBillableReasons.length > 0) {
      totals.excludedMinutes += minutes
    } else {
      billableMinutes = Math.max(0, Math.min(minutes, remaining))
      overLimitMinutes = minutes - billableMinutes
      remaining -= billableMinutes
      if (billableMinutes === 0) notBillableReasons.push('over_limit')
    }
    totals.billableMinutes += billableMinutes
    totals.overLimitMinutes += overLimitMinutes

    const unprotectedReasons: UnprotectedReason[] = []
    if (billableMinutes === 0) unprotectedReasons.push('not_billable')
    if (segment.manual) unprotectedReasons.push('manual')
    if (segment.memo.trim() === '') unprotectedReasons.push('no_memo')
    if (!states.includes('active')) unprotectedReasons.push('no_screenshot')
    if (!segment.activity.some((m) => m.keys + m.pointer > 0)) unprotectedReasons.push('no_activity')
    if (overLimitMinutes > 0) unprotectedReasons.push('over_limit')
    const isProtected = unprotectedReasons.length === 0
    if (isProtected) totals.protectedMinutes += billableMinutes
    else totals.unprotectedMinutes += billableMinutes

    const billing: SegmentBilling = {
      minutes,
      billableMinutes,
      overLimitMinutes,
      billable: billableMinutes > 0,
      notBillableReasons,
      protected: isProtected,
      unprotectedReasons,
    }
    return { ...segment, billing }
  })
  return { segments: out, totals }
}

/**
 * The amount for billable minutes at an hourly rate, in minor units: minutes x rate / 60,
 * rounded half up once on the week's total (never per segment), in exact integer arithmetic.
 */
export function amountFor(billableMinutes: number, hourlyRate: number): number {
  const product = BigInt(billableMinutes) * BigInt(hourlyRate)
  return Number((product * 2n + 60n) / 120n)
}
