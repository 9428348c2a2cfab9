import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import type { Executor } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import { buildWorkDiary, workDiaryCsv } from './tracker.diary.js'
import { trackerErrors } from './tracker.errors.js'
import {
  SegmentStartQuery,
  toWeekResponse,
  UploadBody,
  UploadResponse,
  WeekQuery,
  WeekResponse,
} from './tracker.schemas.js'
import type { TrackerService } from './tracker.service.js'
import { parseIsoWeek } from './tracker.week.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }

export const trackerRoutes: FastifyPluginAsyncTypebox<{
  tracker: TrackerService
  db: Executor
  clock: Clock
  publicUrl: string
}> = async (app, { tracker, db, clock, publicUrl }) => {
  app.put(
    '/api/v1/contracts/:id/segments',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Upload tracked time: up to 200 ten-minute segments, idempotent by start',
        description:
          'Each segment is accepted or rejected on its own (`rejected[].code`: tracker.misaligned, tracker.future_segment, tracker.week_locked, tracker.manual_not_allowed, ...); valid ones are kept. Re-uploading a start replaces that segment. A batch whose every segment falls in a locked (submitted) week answers 409 tracker.week_locked, with the same `rejected` list.',
        params: IdParams,
        body: UploadBody,
        response: { 200: UploadResponse, ...errors },
      },
    },
    async (request) =>
      tracker.uploadSegments({
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        segments: request.body.segments,
      }),
  )

  app.get(
    '/api/v1/contracts/:id/segments',
    {
      schema: {
        tags: ['hourly'],
        summary: "A week's segments with screenshots, billable and protected flags (and why not), and totals",
        params: IdParams,
        querystring: WeekQuery,
        response: { 200: WeekResponse, ...errors },
      },
    },
    async (request) => {
      const weekStart = request.query.week === undefined ? null : parseIsoWeek(request.query.week)
      if (request.query.week !== undefined && !weekStart) throw trackerErrors.badWeek()
      const view = await tracker.week({
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        weekStart,
      })
      return toWeekResponse(view)
    },
  )

  app.delete(
    '/api/v1/contracts/:id/segments',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Remove one segment (?start=) from a week that is not submitted yet (freelancer)',
        params: IdParams,
        querystring: SegmentStartQuery,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await tracker.deleteSegment({
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        start: request.query.start,
      })
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/contracts/:id/work-diary',
    {
      schema: {
        tags: ['hourly'],
        summary: "Export the contract's work diary: segments, screenshots (links), memos, timesheets",
        description:
          '`?format=json` (default) or `csv` (one row per segment). Both parties, also after the contract ended.',
        params: IdParams,
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }),
        produces: ['application/json', 'text/csv'],
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errors },
      },
    },
    async (request, reply) => {
      const diary = await buildWorkDiary(db, {
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        publicUrl,
        now: clock.now(),
      })
      const format = request.query.format ?? 'json'
      void reply.header('content-disposition', `attachment; filename="work-diary-${diary.contract.id}.${format}"`)
      if (format === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .serializer((body: string) => body)
          .send(workDiaryCsv(diary) as never)
      return diary
    },
  )
}
