import { Type, type Static } from '@fastify/type-provider-typebox'
import type { WeekTotals } from './tracker.billing.js'
import type { WeekSegment, WeekView } from './tracker.service.js'
import { isoWeekLabel, SEGMENT_MS, WEEK_MS } from './tracker.week.js'

const Minute = Type.Object(
  {
    keys: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      description: 'key presses in the minute (at most 1000 are accepted)',
    }),
    pointer: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      description: 'pointer events in the minute (at most 1000 are accepted)',
    }),
    tracked: Type.Optional(
      Type.Boolean({
        description: 'false when the tracker was not running in this minute (it is not billed); default true',
      }),
    ),
  },
  { additionalProperties: false },
)

export const SegmentBody = Type.Object(
  {
    start: Type.String({
      maxLength: 40,
      description: 'UTC start on a 10-minute boundary',
      example: '2026-11-23T09:00:00Z',
    }),
    activity: Type.Array(Minute, { maxItems: 60, description: 'one entry per minute, exactly 10' }),
    memo: Type.Optional(Type.String({ maxLength: 2000, description: 'at most 500 characters are accepted' })),
    manual: Type.Optional(Type.Boolean({ description: 'time added by hand (only where the binding terms allow it)' })),
  },
  { additionalProperties: false },
)

export const UploadBody = Type.Object(
  { segments: Type.Array(SegmentBody, { minItems: 1, maxItems: 200 }) },
  { additionalProperties: false },
)

export const UploadResponse = Type.Object({
  accepted: Type.Array(Type.Object({ start: Type.String(), id: Type.String() })),
  rejected: Type.Array(Type.Object({ start: Type.String(), code: Type.String(), message: Type.String() })),
})

export const WeekQuery = Type.Object({
  week: Type.Optional(Type.String({ maxLength: 10, description: 'ISO week, e.g. 2026-W48 (default: this week)' })),
})

export const SegmentStartQuery = Type.Object({ start: Type.String({ maxLength: 40 }) })

export const Totals = Type.Object({
  totalMinutes: Type.Integer(),
  trackedMinutes: Type.Integer(),
  manualMinutes: Type.Integer(),
  billableMinutes: Type.Integer(),
  overLimitMinutes: Type.Integer(),
  excludedMinutes: Type.Integer(),
  protectedMinutes: Type.Integer(),
  unprotectedMinutes: Type.Integer(),
})

export const ScreenshotRef = Type.Object({
  id: Type.String(),
  capturedAt: Type.String(),
  state: Type.String(),
  blurred: Type.Boolean(),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  thumbnailUrl: Type.Union([Type.String(), Type.Null()]),
})

export const SegmentView = Type.Object({
  id: Type.String(),
  start: Type.String(),
  end: Type.String(),
  manual: Type.Boolean(),
  memo: Type.String(),
  activity: Type.Array(
    Type.Object({ keys: Type.Integer(), pointer: Type.Integer(), tracked: Type.Optional(Type.Boolean()) }),
  ),
  activeMinutes: Type.Integer(),
  minutes: Type.Integer(),
  billable: Type.Boolean(),
  billableMinutes: Type.Integer(),
  overLimitMinutes: Type.Integer(),
  notBillableReasons: Type.Array(Type.String()),
  protected: Type.Boolean(),
  unprotectedReasons: Type.Array(Type.String()),
  screenshots: Type.Array(ScreenshotRef),
  updatedAt: Type.String(),
})

export const OpenSegmentView = Type.Object({
  start: Type.String(),
  memo: Type.String(),
  activity: Type.Array(
    Type.Object({ keys: Type.Integer(), pointer: Type.Integer(), tracked: Type.Optional(Type.Boolean()) }),
  ),
  activeMinutes: Type.Integer(),
  screenshots: Type.Array(ScreenshotRef),
})

export const WeekResponse = Type.Object({
  contractId: Type.String(),
  week: Type.String(),
  weekStart: Type.String(),
  weekEnd: Type.String(),
  hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
  weeklyLimitMinutes: Type.Union([Type.Integer(), Type.Null()]),
  currency: Type.String(),
  timesheet: Type.Union([Type.Object({ id: Type.String(), state: Type.String() }), Type.Null()]),
  segments: Type.Array(SegmentView),
  openSegments: Type.Array(OpenSegmentView, {
    description:
      'segments not recorded yet whose screenshots arrived (the tracker uploads a segment when it ends): the activity and memo so far; not billed until recorded',
  }),
  totals: Totals,
})

export function screenshotRef(shot: {
  id: string
  capturedAt: Date
  state: string
  blurred: boolean
}): Static<typeof ScreenshotRef> {
  const stored = shot.state !== 'deleted'
  return {
    id: shot.id,
    capturedAt: shot.capturedAt.toISOString(),
    state: shot.state,
    blurred: shot.blurred,
    imageUrl: stored ? `/api/v1/screenshots/${shot.id}/image` : null,
    thumbnailUrl: stored ? `/api/v1/screenshots/${shot.id}/thumbnail` : null,
  }
}

export function toSegmentView(segment: WeekSegment): Static<typeof SegmentView> {
  return {
    id: segment.id,
    start: segment.start.toISOString(),
    end: new Date(segment.start.getTime() + SEGMENT_MS).toISOString(),
    manual: segment.manual,
    memo: segment.memo,
    activity: segment.activity,
    activeMinutes: segment.activity.filter((m) => m.keys + m.pointer > 0).length,
    ...segment.billing,
    screenshots: segment.screenshots.map(screenshotRef),
    updatedAt: segment.updatedAt.toISOString(),
  }
}

export function toWeekResponse(view: WeekView): Static<typeof WeekResponse> {
  return {
    contractId: view.contract.id,
    week: isoWeekLabel(view.weekStart),
    weekStart: view.weekStart.toISOString(),
    weekEnd: new Date(view.weekStart.getTime() + WEEK_MS).toISOString(),
    hourlyRate: view.contract.hourlyRate,
    weeklyLimitMinutes: view.contract.weeklyLimitMinutes,
    currency: view.contract.currency,
    timesheet: view.timesheet ? { id: view.timesheet.id, state: view.timesheet.state } : null,
    segments: view.segments.map(toSegmentView),
    openSegments: view.openSegments.map((open) => ({
      start: open.start.toISOString(),
      memo: open.memo,
      activity: open.activity,
      activeMinutes: open.activity.filter((m) => m.keys + m.pointer > 0).length,
      screenshots: open.screenshots.map(screenshotRef),
    })),
    totals: view.totals satisfies WeekTotals,
  }
}
