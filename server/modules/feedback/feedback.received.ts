import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { and, desc, eq, isNotNull, lte, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { feedbackTable, feedbackWindowsTable } from '../../../db/schema/index.js'
import { olderThan, parseTimeIdCursor, timeIdCursor, type TimeIdCursor } from '../../http/page-cursor.js'
import { ErrorBody, IdParams, PageQuery } from '../../http/schemas.js'
import { toFeedbackDto } from './feedback.routes.js'
import { Feedback } from './feedback.schemas.js'
import type { FeedbackRow } from './feedback.repository.js'
import type { FeedbackSettings, Reveal } from './feedback.service.js'

/**
 * Revealed feedback about one person, newest reveal first: feedback is public once revealed
 * (both parties left it, or the window closed), and never before, whoever asks.
 */
function receivedRepository(db: Executor) {
  const w = feedbackWindowsTable
  const revealedAt = sql<Date>`coalesce(${w.revealedAt}, ${w.closesAt})`
  return {
    async page(input: { subjectId: string; now: Date; after: TimeIdCursor | null; limit: number }) {
      return db
        .select({ row: feedbackTable, revealedAt: w.revealedAt, revealedBy: w.revealedBy, closesAt: w.closesAt })
        .from(feedbackTable)
        .innerJoin(w, eq(w.contractId, feedbackTable.contractId))
        .where(
          and(
            eq(feedbackTable.subjectId, input.subjectId),
            or(isNotNull(w.revealedAt), lte(w.closesAt, input.now)),
            olderThan(revealedAt, feedbackTable.id, input.after),
          ),
        )
        .orderBy(desc(revealedAt), desc(feedbackTable.id))
        .limit(input.limit)
    },
  }
}

const revealOf = (r: { revealedAt: Date | null; revealedBy: string | null; closesAt: Date }): Reveal =>
  r.revealedAt
    ? { at: r.revealedAt, by: r.revealedBy === 'deadline' ? 'deadline' : 'both' }
    : { at: r.closesAt, by: 'deadline' }

/** `GET /api/v1/users/:id/feedback`: what others said about this person, revealed only, paged. */
export const receivedFeedbackRoutes: FastifyPluginAsyncTypebox<{
  settings: FeedbackSettings
  now: () => Date
}> = async (app, { settings, now }) => {
  const repository = receivedRepository(app.db)
  app.get(
    '/api/v1/users/:id/feedback',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['feedback'],
        summary: 'Feedback this person received, revealed only (public), newest reveal first',
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: {
          200: Type.Object({ items: Type.Array(Feedback), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request) => {
      const { limit = 20, cursor } = request.query
      const rows = await repository.page({
        subjectId: request.params.id,
        now: now(),
        after: cursor ? parseTimeIdCursor(cursor) : null,
        limit: limit + 1,
      })
      const shown = rows.slice(0, limit)
      const last = shown.at(-1)
      return {
        items: shown.map((r) => toFeedbackDto(r.row as FeedbackRow, revealOf(r), settings)),
        nextCursor: rows.length > limit && last ? timeIdCursor(revealOf(last).at, last.row.id) : null,
      }
    },
  )
}
