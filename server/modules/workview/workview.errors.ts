import { defineErrors } from '../../http/errors.js'

export const workviewErrors = defineErrors({
  notFound: [404, 'workview.screenshot_not_found', 'Screenshot not found'],
  multipartRequired: [415, 'workview.multipart_required', 'Upload the screenshot as multipart/form-data'],
  badForm: [
    400,
    'workview.invalid_form',
    'Send the fields segmentStart and capturedAt (activity and memo optional) and one image file',
  ],
  notAnImage: [415, 'workview.not_an_image', 'The file is not a PNG, JPEG or WebP image'],
  corruptImage: [422, 'workview.corrupt_image', 'The image could not be decoded (truncated or damaged)'],
  tooLarge: [413, 'workview.image_too_large', 'Screenshots are at most 5 MiB'],
  tooManyPixels: [413, 'workview.too_many_pixels', 'Screenshots are at most 40 megapixels'],
  misaligned: [400, 'workview.invalid_segment', 'segmentStart must be a 10-minute boundary (:00, :10, ...) in UTC'],
  capturedOutside: [400, 'workview.captured_outside_segment', 'capturedAt must fall inside the segment'],
  future: [400, 'workview.future_capture', 'capturedAt is in the future'],
  outsideContract: [409, 'workview.outside_contract', 'That segment is outside the contract'],
  weekLocked: [409, 'tracker.week_locked', "This week's timesheet is submitted; its screenshots can no longer change"],
  segmentFull: [409, 'workview.segment_full', 'A segment holds at most 3 screenshots'],
  clientOnly: [403, 'workview.client_only', "Only the contract's client may do this"],
  freelancerOnly: [403, 'workview.freelancer_only', "Only the contract's freelancer may do this"],
  segmentNotStarted: [409, 'workview.segment_not_started', 'That segment has not started yet'],
  segmentOver: [
    409,
    'workview.segment_over',
    'That segment is over: capture moments are given only for the current segment',
  ],
  noCaptureMoment: [
    409,
    'workview.no_capture_moment',
    'No capture moment was given for this segment: the tracker asks for it when the segment opens (POST /api/v1/contracts/:id/workview/segment)',
  ],
  noScreenshotsInSegment: [
    409,
    'workview.no_screenshots',
    'This segment takes no screenshots (the contract asks for 0 per segment)',
  ],
  offSchedule: [422, 'workview.off_schedule', "The screenshot was not taken at the segment's capture moment"],
  badActivity: [
    400,
    'workview.invalid_activity',
    'activity must be a JSON list of up to 10 minutes of {keys, pointer, tracked}',
  ],
  notActive: [409, 'workview.screenshot_not_active', 'This screenshot was already rejected or deleted'],
})
