import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { decodeCursor, encodeCursor } from '../../http/page-cursor.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import type { Actor } from '../milestones/index.js'
import type { StatusReportCommentRow, StatusReportRow } from './status-reports.repository.js'
import type { StatusReportsService } from './status-reports.service.js'

const DateTime = Type.String({ format: 'date-time' })
const Comment = Type.Object({ id: Type.String(), authorId: Type.String(), body: Type.String(), createdAt: DateTime })
const Report = Type.Object({
  id: Type.String(),
  contractId: Type.String(),
  authorId: Type.String(),
  weekStart: Type.String({ description: 'Monday (UTC) of the reported week' }),
  workCompleted: Type.String(),
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  plans: Type.String(),
  createdAt: DateTime,
  comments: Type.Array(Comment),
})
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }

const toComment = (c: StatusReportCommentRow) => ({
  id: c.id,
  authorId: c.authorId,
  body: c.body,
  createdAt: c.createdAt.toISOString(),
})
const toReport = (r: StatusReportRow, comments: StatusReportCommentRow[]) => ({
  id: r.id,
  contractId: r.contractId,
  authorId: r.authorId,
  weekStart: r.weekStart,
  workCompleted: r.workCompleted,
  progress: r.progress,
  plans: r.plans,
  createdAt: r.createdAt.toISOString(),
  comments: comments.filter((c) => c.reportId === r.id).map(toComment),
})

export const statusReportsRoutes: FastifyPluginAsyncTypebox<{
  reports: StatusReportsService
  notify: (contractId: string, type: string, data: object) => Promise<void>
}> = async (app, { reports, notify }) => {
  const actorOf = (request: FastifyRequest): Actor => {
    const { user } = requireSession(request)
    return { id: user.id, role: user.role }
  }

  app.get(
    '/api/v1/contracts/:id/status-reports',
    {
      schema: {
        tags: ['status reports'],
        summary: "A fixed-price contract's weekly status reports, newest week first, and the weeks flagged as missing",
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Report),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
            missingWeeks: Type.Array(Type.Object({ weekStart: Type.String(), flaggedAt: DateTime })),
            nextDue: Type.Union([Type.Object({ weekStart: Type.String(), dueAt: DateTime }), Type.Null()], {
              description:
                'The next week whose report is due, and when it is flagged missing if none was filed by then',
            }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { limit = 20, cursor } = request.query
      const beforeWeek = cursor
        ? decodeCursor(cursor, (v) => (typeof v.w === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.w) ? v.w : null))
        : null
      const page = await reports.list({ contractId: request.params.id, actor: actorOf(request), beforeWeek, limit })
      const last = page.reports[page.reports.length - 1]
      return {
        items: page.reports.map((r) => toReport(r, page.comments)),
        nextCursor: page.more && last ? encodeCursor({ w: last.weekStart }) : null,
        missingWeeks: page.missing.map((m) => ({ weekStart: m.weekStart, flaggedAt: m.flaggedAt.toISOString() })),
        nextDue: page.nextDue && { weekStart: page.nextDue.weekStart, dueAt: page.nextDue.dueAt.toISOString() },
      }
    },
  )

  app.post(
    '/api/v1/contracts/:id/status-reports',
    {
      schema: {
        tags: ['status reports'],
        summary: 'File the weekly status report (freelancer); one per week',
        params: IdParams,
        body: Type.Object(
          {
            workCompleted: Type.String({ minLength: 1, maxLength: 20_000 }),
            progress: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent of the work done' }),
            plans: Type.String({ minLength: 1, maxLength: 20_000, description: 'Plans for next week' }),
            weekStart: Type.Optional(
              Type.String({
                pattern: '^\\d{4}-\\d{2}-\\d{2}$',
                description: 'Monday of the week (default: this week)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Report, ...errors },
      },
    },
    async (request, reply) => {
      const { contract, report } = await reports.file({
        contractId: request.params.id,
        actor: actorOf(request),
        ...request.body,
      })
      await notify(contract.id, 'status_report.filed', {
        contractId: contract.id,
        reportId: report.id,
        weekStart: report.weekStart,
      })
      return reply.status(201).send(toReport(report, []))
    },
  )

  app.post(
    '/api/v1/status-reports/:id/comments',
    {
      schema: {
        tags: ['status reports'],
        summary: 'Comment on a status report (either party)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false }),
        response: { 201: Comment, ...errors },
      },
    },
    async (request, reply) => {
      const { contract, comment } = await reports.comment({
        reportId: request.params.id,
        actor: actorOf(request),
        body: request.body.body,
      })
      await notify(contract.id, 'status_report.commented', {
        contractId: contract.id,
        reportId: comment.reportId,
        commentId: comment.id,
      })
      return reply.status(201).send(toComment(comment))
    },
  )
}
