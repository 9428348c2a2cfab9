import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import type { FeedbackRow } from './feedback.repository.js'
import {
  ContractFeedback,
  Feedback,
  LeaveFeedbackBody,
  ReplyBody,
  type ContractFeedbackDto,
  type FeedbackDto,
} from './feedback.schemas.js'
import { fromHundredths } from './feedback.scores.js'
import { replyUntil, type FeedbackService, type FeedbackSettings, type Reveal } from './feedback.service.js'

const ratingKeys = [
  'quality',
  'responsiveness',
  'professionalism',
  'expertise',
  'schedule',
  'cost',
  'clarity',
  'communication',
  'paymentPromptness',
] as const

export function toFeedbackDto(
  row: FeedbackRow,
  revealed: Reveal | null,
  settings: Pick<FeedbackSettings, 'feedbackReplyDays'>,
): FeedbackDto {
  const ratings: FeedbackDto['ratings'] = {}
  for (const key of ratingKeys) {
    const value = row[key]
    if (value !== null) ratings[key] = value
  }
  return {
    id: row.id,
    contractId: row.contractId,
    authorId: row.authorId,
    authorRole: row.subjectRole === 'freelancer' ? 'client' : 'freelancer',
    subjectId: row.subjectId,
    subjectRole: row.subjectRole as FeedbackDto['subjectRole'],
    ratings,
    score: fromHundredths(row.score),
    comment: row.comment,
    createdAt: row.createdAt.toISOString(),
    revealed: revealed !== null,
    revealedAt: revealed?.at.toISOString() ?? null,
    reply: row.reply !== null && row.repliedAt ? { body: row.reply, createdAt: row.repliedAt.toISOString() } : null,
    replyUntil: revealed ? replyUntil(revealed, settings).toISOString() : null,
  }
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }
const tags = ['feedback']

export const feedbackRoutes: FastifyPluginAsyncTypebox<{
  feedback: FeedbackService
  settings: FeedbackSettings
}> = async (app, { feedback, settings }) => {
  app.post(
    '/api/v1/contracts/:id/feedback',
    {
      schema: {
        tags,
        summary: 'Leave feedback on an ended contract (each party once; never editable)',
        description:
          "Within the feedback window after the contract's end (`closesAt` in the GET; its length is the operator's " +
          '`feedbackWindowDays` when the contract ended). The client rates the freelancer (quality, responsiveness, professionalism, expertise, schedule, cost: weights 30/20/15/15/10/10); ' +
          'the freelancer rates the client (clarity, communication, paymentPromptness). Double-blind: visible to its author only until both parties have left theirs or the window closes. ' +
          '409 before the contract ended, after the window, or for a second feedback.',
        params: IdParams,
        body: LeaveFeedbackBody,
        response: { 201: Feedback, ...errors },
      },
    },
    async (request, reply) => {
      const { feedback: row, revealed } = await feedback.leave({
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        body: request.body,
      })
      return reply.status(201).send(toFeedbackDto(row, revealed, settings))
    },
  )

  app.get(
    '/api/v1/contracts/:id/feedback',
    {
      config: { auth: 'optional' },
      schema: {
        tags,
        summary: "A contract's feedback: revealed feedback is public; before the reveal each party sees only their own",
        params: IdParams,
        response: { 200: ContractFeedback, ...errors },
      },
    },
    async (request): Promise<ContractFeedbackDto> => {
      const view = await feedback.view({ contractId: request.params.id, viewerId: request.session?.user.id ?? null })
      const { window, revealed } = view
      return {
        contractId: view.contract.id,
        window: window
          ? {
              opensAt: window.openedAt.toISOString(),
              closesAt: window.closesAt.toISOString(),
              open: view.now.getTime() < window.closesAt.getTime() && !revealed,
              revealedAt: revealed?.at.toISOString() ?? null,
              revealedBy: revealed?.by ?? null,
              submitted: view.submitted,
            }
          : null,
        items: view.rows.map((row) => toFeedbackDto(row, revealed, settings)),
      }
    },
  )

  app.post(
    '/api/v1/feedback/:id/reply',
    {
      schema: {
        tags,
        summary: 'Reply publicly to feedback about you (once, never editable)',
        description: `Only the rated party, after the reveal, within ${settings.feedbackReplyDays} days of it.`,
        params: IdParams,
        body: ReplyBody,
        response: { 201: Feedback, ...errors },
      },
    },
    async (request, reply) => {
      const { feedback: row, revealed } = await feedback.reply({
        feedbackId: request.params.id,
        userId: requireSession(request).user.id,
        body: request.body.body,
      })
      return reply.status(201).send(toFeedbackDto(row, revealed, settings))
    },
  )
}
