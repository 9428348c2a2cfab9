import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseSeqCursor, seqCursor } from '../../http/seq-cursor.js'
import { ErrorBody, IdParams, PageQuery } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { getMembership, workroomErrors } from '../workrooms/index.js'
import { toActivityDto } from './activity.dto.js'
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

export const activityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const membershipOf = async (workroomId: string, userId: string) => {
    const membership = await getMembership(app.db, workroomId, userId)
    if (!membership) throw workroomErrors.notFound()
    return membership
  }

  app.get(
    '/api/v1/workrooms/:id/activity',
    {
      schema: {
        tags: ['activity'],
        summary:
          'The activity log in order (oldest first, cursor by seq): the client sees every entry, a freelancer the shared ones and their own',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: {
          200: Type.Object({ items: Type.Array(ActivityEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors,
        },
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
      return {
        items: page.map(toActivityDto),
        nextCursor: rows.length > limit ? seqCursor(page[page.length - 1]!.seq) : null,
      }
    },
  )

  app.get(
    '/api/v1/workrooms/:id/activity/verify',
    {
      schema: {
        tags: ['activity'],
        summary: 'Recompute the workroom’s hash chain: {ok, entries, firstBrokenSeq}',
        description:
          'Checks the whole chain (every entry, also those the caller cannot read), so `entries` counts them all. ' +
          'For the client and the freelancers with a contract in the workroom; anyone else gets 404.',
        params: IdParams,
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            entries: Type.Integer(),
            firstBrokenSeq: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const membership = await membershipOf(request.params.id, requireSession(request).user.id)
      // The count covers entries a bidder may not read (other bidders' threads): parties only.
      if (
        membership.role === 'freelancer' &&
        !(await createActivityRepository(app.db).isContractParty(request.params.id, membership.freelancerId))
      )
        throw workroomErrors.notFound()
      return verifyChain(app.db, request.params.id)
    },
  )
}
