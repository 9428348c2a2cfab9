import { defineErrors } from '../../http/errors.js'

export const trackerErrors = defineErrors({
  contractNotFound: [404, 'tracker.contract_not_found', 'Contract not found'],
  notHourly: [409, 'tracker.not_hourly', 'This contract is not hourly'],
  notActive: [409, 'tracker.contract_not_active', 'Time can be recorded only on an accepted contract'],
  freelancerOnly: [403, 'tracker.freelancer_only', "Only the contract's freelancer may do this"],
  badWeek: [400, 'tracker.invalid_week', 'week must be an ISO week like 2026-W48'],
  badStart: [400, 'tracker.invalid_start', 'start must be a date-time'],
  segmentNotFound: [404, 'tracker.segment_not_found', 'No segment starts at that time'],
  weekLocked: [409, 'tracker.week_locked', "This week's timesheet is submitted; its time can no longer change"],
})

/** Why one segment of a batch was refused (the others are kept). */
export const segmentRejections = {
  invalidStart: ['tracker.invalid_start', 'start is not a valid date-time'],
  misaligned: ['tracker.misaligned', 'Segments start on a 10-minute boundary (:00, :10, ...) in UTC'],
  future: ['tracker.future_segment', 'This segment has not ended yet'],
  beforeContract: ['tracker.before_contract', 'This segment is before the contract started'],
  afterContract: ['tracker.after_contract', 'This segment is after the contract ended or paused'],
  weekLocked: [
    'tracker.week_locked',
    "This week's timesheet is submitted or past its deadline; its time can no longer change",
  ],
  manualNotAllowed: ['tracker.manual_not_allowed', 'The binding terms do not allow manual time'],
  badActivity: ['tracker.invalid_activity', 'activity must hold exactly 10 minutes'],
  activityOutOfBounds: [
    'tracker.activity_out_of_bounds',
    'Each minute holds at most 1000 key presses and 1000 pointer events',
  ],
  nothingTracked: ['tracker.nothing_tracked', 'A segment needs at least one tracked minute'],
  memoTooLong: ['tracker.memo_too_long', 'memo holds at most 500 characters'],
  duplicate: ['tracker.duplicate_in_batch', 'The same start appears earlier in this batch'],
} as const satisfies Record<string, readonly [string, string]>

export type SegmentRejection = keyof typeof segmentRejections
