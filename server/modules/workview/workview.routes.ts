import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../../http/errors.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { workviewErrors } from './workview.errors.js'
import { MAX_IMAGE_BYTES } from './workview.images.js'
import type { WorkviewService } from './workview.service.js'
import { parseActivity, type SegmentPlans } from './workview.segments.js'
import type { MinuteActivity } from '../../../db/schema/index.js'

const Minute = Type.Object(
  {
    keys: Type.Integer({ minimum: 0, maximum: 1000 }),
    pointer: Type.Integer({ minimum: 0, maximum: 1000 }),
    tracked: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
}

const Screenshot = Type.Object({
  id: Type.String(),
  contractId: Type.String(),
  segmentStart: Type.String(),
  capturedAt: Type.String(),
  state: Type.String({ description: 'active, rejected (by the client) or deleted (by the freelancer)' }),
  blurred: Type.Boolean(),
  contentType: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  size: Type.Integer(),
  rejectReason: Type.Union([Type.String(), Type.Null()]),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  thumbnailUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})
const Comment = Type.Object({
  id: Type.String(),
  screenshotId: Type.String(),
  authorId: Type.String(),
  body: Type.String(),
  createdAt: Type.String(),
})
const Settings = Type.Object({
  contractId: Type.String(),
  screenshotsPerSegment: Type.Integer(),
  segmentMinutes: Type.Integer(),
  maxImageBytes: Type.Integer(),
})

const uploadFields = new Set(['segmentStart', 'capturedAt', 'activity', 'memo'])

/**
 * Reads `segmentStart`, `capturedAt`, one image (at most 5 MiB) and, optionally, the
 * segment's `activity` so far (JSON) and `memo` from a multipart body.
 */
async function readUpload(request: FastifyRequest): Promise<{
  segmentStart: string
  capturedAt: string
  bytes: Buffer
  activity?: MinuteActivity[]
  memo?: string
}> {
  if (!request.isMultipart()) throw workviewErrors.multipartRequired()
  const fields: Record<string, string> = {}
  let bytes: Buffer | null = null
  try {
    for await (const part of request.parts({
      limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 4, fieldSize: 2000, parts: 6, headerPairs: 20 },
    })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'image' && part.fieldname !== 'file')
          throw workviewErrors.badForm(`Unexpected file field ${part.fieldname}`)
        bytes = await part.toBuffer()
      } else {
        if (!uploadFields.has(part.fieldname)) throw workviewErrors.badForm(`Unexpected field ${part.fieldname}`)
        fields[part.fieldname] = String(part.value)
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw workviewErrors.tooLarge()
    // Limits, a cut body, a missing boundary: whatever busboy could not read is the sender's.
    throw workviewErrors.badForm()
  }
  if (!bytes || !fields.segmentStart || !fields.capturedAt) throw workviewErrors.badForm()
  let activity: MinuteActivity[] | undefined
  if (fields.activity !== undefined) {
    try {
      activity = parseActivity(JSON.parse(fields.activity))
    } catch {
      throw workviewErrors.badActivity()
    }
  }
  if (fields.memo !== undefined && fields.memo.length > MAX_MEMO)
    throw workviewErrors.badForm('memo is at most 500 characters')
  return {
    segmentStart: fields.segmentStart,
    capturedAt: fields.capturedAt,
    bytes,
    ...(activity ? { activity } : {}),
    ...(fields.memo !== undefined ? { memo: fields.memo } : {}),
  }
}

const MAX_MEMO = 500

const OpenSegmentBody = Type.Object(
  {
    segmentStart: Type.String({ maxLength: 40, description: 'UTC start of the current segment (10-minute boundary)' }),
    activity: Type.Optional(Type.Array(Minute, { maxItems: 10, description: 'the activity so far, minute by minute' })),
    memo: Type.Optional(Type.String({ maxLength: MAX_MEMO })),
  },
  { additionalProperties: false },
)

const SegmentPlan = Type.Object({
  contractId: Type.String(),
  segmentStart: Type.String(),
  captureMoments: Type.Array(Type.String(), { description: 'when to take the screenshots (server time), sorted' }),
  earlySeconds: Type.Integer({ description: 'a screenshot may be taken this much before its moment' }),
  lateSeconds: Type.Integer({ description: '...and this much after it; further away it is refused (422)' }),
  serverTime: Type.String({ description: 'the server clock when answering: the tracker corrects its own by it' }),
})

export const workviewRoutes: FastifyPluginAsyncTypebox<{ workview: WorkviewService; plans: SegmentPlans }> = async (
  app,
  { workview, plans },
) => {
  // Scoped to these routes (and skipped if an ancestor already parses multipart); limits are per call.
  if (!app.hasContentTypeParser('multipart/form-data')) await app.register(multipart, { throwFileSizeLimit: true })

  app.post(
    '/api/v1/contracts/:id/screenshots',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Upload a Work View screenshot (multipart: segmentStart, capturedAt, image; activity and memo so far)',
        description:
          'PNG, JPEG or WebP by magic bytes, at most 5 MiB and 40 megapixels. capturedAt must be near one of the capture moments the server gave for the segment (POST .../workview/segment), else 422 workview.off_schedule. `activity` (JSON, the minutes so far) and `memo` travel with the screenshot to the client. 201 with the screenshot; 200 with the stored one when this capture (capturedAt) was already uploaded.',
        params: IdParams,
        consumes: ['multipart/form-data'],
        response: { 200: Screenshot, 201: Screenshot, ...errors },
      },
    },
    async (request, reply) => {
      const upload = await readUpload(request)
      const result = await workview.upload({
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        ...upload,
      })
      return reply.status(result.created ? 201 : 200).send(result.screenshot)
    },
  )

  app.post(
    '/api/v1/contracts/:id/workview/segment',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Open or continue the current segment: its capture moments, picked by the server (freelancer)',
        description:
          'The first call for a segment picks its random capture moments (as many as the contract takes per segment, in what is left of the segment); later calls answer the same ones and record the activity and memo so far. Only the current segment can be opened. A screenshot is accepted only when its capturedAt is within earlySeconds before to lateSeconds after one of the moments.',
        params: IdParams,
        body: OpenSegmentBody,
        response: { 200: SegmentPlan, ...errors },
      },
    },
    async (request) =>
      plans.open({
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        segmentStart: request.body.segmentStart,
        ...(request.body.activity ? { activity: parseActivity(request.body.activity) } : {}),
        ...(request.body.memo !== undefined ? { memo: request.body.memo } : {}),
      }),
  )

  app.get(
    '/api/v1/screenshots/:id',
    {
      schema: {
        tags: ['hourly'],
        summary: 'A screenshot with its comments (the contract’s parties only)',
        params: IdParams,
        response: { 200: Type.Intersect([Screenshot, Type.Object({ comments: Type.Array(Comment) })]), ...errors },
      },
    },
    async (request) => workview.get({ id: request.params.id, userId: requireSession(request).user.id }),
  )

  for (const variant of ['image', 'thumbnail'] as const) {
    app.get(
      `/api/v1/screenshots/:id/${variant}`,
      {
        schema: {
          tags: ['hourly'],
          summary: variant === 'image' ? 'The screenshot image' : 'The 320 px WebP thumbnail',
          params: IdParams,
          produces: ['image/png', 'image/jpeg', 'image/webp'],
          response: { 200: Type.Unsafe({ type: 'string', format: 'binary' }), ...errors },
        },
      },
      async (request, reply) => {
        const { stream, contentType, row } = await workview.open({
          id: request.params.id,
          userId: requireSession(request).user.id,
          variant,
        })
        const extension = contentType.split('/')[1]
        return reply
          .header('content-type', contentType)
          .header('cache-control', 'private, no-cache')
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', `inline; filename="screenshot-${row.id}-${variant}.${extension}"`)
          .send(stream)
      },
    )
  }

  app.post(
    '/api/v1/screenshots/:id/blur',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Blur the stored screenshot and thumbnail (freelancer)',
        params: IdParams,
        response: { 200: Screenshot, ...errors },
      },
    },
    async (request) => workview.blur({ id: request.params.id, userId: requireSession(request).user.id }),
  )

  app.delete(
    '/api/v1/screenshots/:id',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Delete a screenshot (freelancer); its segment stops counting',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await workview.remove({ id: request.params.id, userId: requireSession(request).user.id })
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/api/v1/screenshots/:id/reject',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Reject a screenshot (client); its segment leaves the billable time',
        params: IdParams,
        body: Type.Optional(
          Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        ),
        response: { 200: Screenshot, ...errors },
      },
    },
    async (request) =>
      workview.reject({ id: request.params.id, userId: requireSession(request).user.id, reason: request.body?.reason }),
  )

  app.post(
    '/api/v1/screenshots/:id/comments',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Comment on a screenshot (either party; pushed live)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 201: Comment, ...errors },
      },
    },
    async (request, reply) => {
      const comment = await workview.comment({
        id: request.params.id,
        userId: requireSession(request).user.id,
        body: request.body.body,
      })
      return reply.status(201).send(comment)
    },
  )

  app.get(
    '/api/v1/contracts/:id/workview',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Work View settings: screenshots per segment (the tracker’s capture schedule)',
        params: IdParams,
        response: { 200: Settings, ...errors },
      },
    },
    async (request) => workview.settings({ contractId: request.params.id, userId: requireSession(request).user.id }),
  )

  app.put(
    '/api/v1/contracts/:id/workview',
    {
      schema: {
        tags: ['hourly'],
        summary: 'Set screenshots per segment, 0-3 (client)',
        params: IdParams,
        body: Type.Object(
          { screenshotsPerSegment: Type.Integer({ minimum: 0, maximum: 3 }) },
          { additionalProperties: false },
        ),
        response: { 200: Settings, ...errors },
      },
    },
    async (request) =>
      workview.setScreenshotsPerSegment({
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        screenshotsPerSegment: request.body.screenshotsPerSegment,
      }),
  )
}
