import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { createActionRunner } from '../../http/action-runner.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { IdempotencyHeaders } from '../../plugins/idempotency.js'
import { requireSession } from '../accounts/index.js'
import type { Actor } from './milestones.access.js'
import { createMilestonesRepository } from './milestones.repository.js'
import {
  AmountBody,
  EmptyBody,
  emptyBodyIsObject,
  MessageBody,
  Milestone,
  SubmitBody,
  toMilestone,
} from './milestones.schemas.js'
import type { MilestoneRefunds } from './milestones.refunds.js'
import type { MilestoneOutcome, MilestonesService } from './milestones.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody }

export interface MilestoneRouteDeps {
  milestones: MilestonesService
  refunds: MilestoneRefunds
  /** After a commit: live state, and deadlines that no longer apply. */
  afterChange: (outcome: Pick<MilestoneOutcome, 'contract' | 'staleDeadlines'>) => Promise<void>
}

export const milestonesRoutes: FastifyPluginAsyncTypebox<MilestoneRouteDeps> = async (
  app,
  { milestones, refunds, afterChange },
) => {
  const actorOf = (request: FastifyRequest): Actor => {
    const { user } = requireSession(request)
    return { id: user.id, role: user.role }
  }

  const act = createActionRunner<Actor, MilestoneOutcome>(app, {
    actorOf,
    body: async (tx, outcome) =>
      toMilestone(outcome.milestone, await createMilestonesRepository(tx).submissionsOf([outcome.milestone.id])),
    afterCommit: afterChange,
  })

  app.get(
    '/api/v1/contracts/:id/milestones',
    {
      schema: {
        tags: ['milestones'],
        summary: "A fixed-price contract's milestones, in order",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Milestone), nextCursor: Type.Null() }), ...errors },
      },
    },
    async (request) => {
      const { milestones: rows, submissions } = await milestones.list(app.db, {
        contractId: request.params.id,
        actor: actorOf(request),
      })
      return { items: rows.map((m) => toMilestone(m, submissions)), nextCursor: null }
    },
  )

  app.get(
    '/api/v1/milestones/:id',
    {
      schema: {
        tags: ['milestones'],
        summary: 'One milestone with its submissions',
        params: IdParams,
        response: { 200: Milestone, ...errors },
      },
    },
    async (request) => {
      const { milestone, submissions } = await milestones.get(app.db, {
        milestoneId: request.params.id,
        actor: actorOf(request),
      })
      return toMilestone(milestone, submissions)
    },
  )

  app.post(
    '/api/v1/milestones/:id/fund',
    {
      preValidation: emptyBodyIsObject,
      schema: {
        tags: ['milestones'],
        summary: "Fund a milestone (client): its amount moves from the client's wallet into escrow",
        params: IdParams,
        headers: IdempotencyHeaders,
        body: EmptyBody,
        response: { 200: Milestone, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: true,
        work: (tx, actor) => milestones.fund(tx, { milestoneId: request.params.id, actor }),
      }),
  )

  app.post(
    '/api/v1/milestones/:id/submit',
    {
      schema: {
        tags: ['milestones'],
        summary: 'Submit work (freelancer): a message and shared files; starts the auto-release clock',
        params: IdParams,
        body: SubmitBody,
        response: { 200: Milestone, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: false,
        work: (tx, actor) =>
          milestones.submit(tx, {
            milestoneId: request.params.id,
            actor,
            message: request.body.message,
            fileIds: request.body.fileIds ?? [],
          }),
      }),
  )

  app.post(
    '/api/v1/milestones/:id/approve',
    {
      preValidation: emptyBodyIsObject,
      schema: {
        tags: ['milestones'],
        summary:
          'Approve and release (client): all that is held, or `amount` of it (a partial release; the rest stays in escrow)',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: AmountBody,
        response: { 200: Milestone, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: true,
        work: (tx, actor) =>
          milestones.approve(tx, {
            milestoneId: request.params.id,
            actor,
            ...(request.body.amount !== undefined ? { amount: BigInt(request.body.amount) } : {}),
          }),
      }),
  )

  app.post(
    '/api/v1/milestones/:id/request-changes',
    {
      schema: {
        tags: ['milestones'],
        summary: 'Ask for changes to the submitted work (client); stops the auto-release clock',
        params: IdParams,
        body: MessageBody,
        response: { 200: Milestone, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: false,
        work: (tx, actor) =>
          milestones.requestChanges(tx, { milestoneId: request.params.id, actor, message: request.body.message }),
      }),
  )

  app.post(
    '/api/v1/milestones/:id/refund',
    {
      preValidation: emptyBodyIsObject,
      schema: {
        tags: ['milestones'],
        summary:
          "Refund escrow to the client's wallet: the freelancer (consent) or an operator refunds at once (200); the client only asks (202) until the freelancer consents",
        params: IdParams,
        headers: IdempotencyHeaders,
        body: AmountBody,
        response: { 200: Milestone, 202: Milestone, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: true,
        work: (tx, actor) =>
          refunds.refund(tx, {
            milestoneId: request.params.id,
            actor,
            ...(request.body.amount !== undefined ? { amount: BigInt(request.body.amount) } : {}),
          }),
        // After `work`, so that its outcome type (with `requested`) is inferred first.
        statusCode: (outcome) => (outcome.requested ? 202 : 200),
      }),
  )
}
