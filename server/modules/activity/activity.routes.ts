import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { create as contentDisposition } from 'content-disposition'
import type { Clock } from '../../clock.js'
import { parseSeqCursor, seqCursor } from '../../http/seq-cursor.js'
import { ErrorBody, IdParams, PageQuery } from '../../http/schemas.js'
import { requireSession } from '../accounts/accounts.auth.js'
import { getMembership } from '../workrooms/workrooms.access.js'
import { activityErrors } from './activity.errors.js'
import { buildWorkroomExport, toActivityDto } from './activity.export.js'
import { createActivityRepository } from './activity.repository.js'
import { verifyChain } from './activity.verify.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody }

const ActivityEntry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  seq: Type.Integer(),
  type: Type.String(),
  actorId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  scopeFreelancerId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  prevHash: Type.String(),
  hash: Type.String(),
})

export const activityRoutes: FastifyPluginAsyncTypebox<{ clock: Clock }> = async (app, { clock }) => {
  const membershipOf = async (workroomId: string, userId: string) => {
    const membership = await getMembership(app.db, workroomId, userId)
    if (!membership) throw activityErrors.workroomNotFound()
    return membership
  }

  app.get(
    '/api/v1/workrooms/:id/activity',
    {
      schema: {
        tags: ['activity'],
        summary: 'The activity log in order (oldest first, cursor by seq): the client sees every entry, a freelancer the shared ones and their own',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Object({ items: Type.Array(ActivityEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (request) => {
      const membership = await membershipOf(request.params.id, requireSession(request).user.id)
      const { limit = 20, cursor } = request.query
      const rows = await createActivityRepository(app.db).page({
        workroomId: request.params.id,
        freelancerScope: membership.role === 'freelancer' ? membership.freelancerId : null,
        afterSeq: cursor === undefined ? 0 : parseSeqCursor(cursor),
        limit: limit + 1,
      })
      const page = rows.slice(0, limit)
      return { items: page.map(toActivityDto), nextCursor: rows.length > limit ? seqCursor(page[page.length - 1]!.seq) : null }
    },
  )

  app.get(
    '/api/v1/workrooms/:id/activity/verify',
    {
      schema: {
        tags: ['activity'],
        summary: 'Recompute the workroom’s hash chain: {ok, entries, firstBrokenSeq}',
        description: 'Checks the whole chain (every entry, also those the caller cannot read), so `entries` counts them all.',
        params: IdParams,
        response: {
          200: Type.Object({ ok: Type.Boolean(), entries: Type.Integer(), firstBrokenSeq: Type.Union([Type.Integer(), Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request) => {
      await membershipOf(request.params.id, requireSession(request).user.id)
      return verifyChain(app.db, request.params.id)
    },
  )

  app.get(
    '/api/v1/workrooms/:id/export',
    {
      schema: {
        tags: ['activity'],
        summary: 'Download your view of the whole workroom as a zip (JSON plus files), also after the job or contract ended',
        params: IdParams,
        response: {
          200: { description: 'A zip archive', content: { 'application/zip': { schema: Type.String({ format: 'binary' }) } } },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const userId = requireSession(request).user.id
      const membership = await membershipOf(request.params.id, userId)
      const archive = await buildWorkroomExport({
        db: app.db,
        storage: app.storage,
        now: clock.now(),
        log: request.log,
        workroomId: request.params.id,
        viewerId: userId,
        membership,
      })
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', contentDisposition(`workroom-${request.params.id}.zip`))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        // A stream is sent as is (never serialized); the schema above only documents it.
        .send(archive as never)
    },
  )
}
