import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { createActionRunner } from '../../http/action-runner.js'
import { parseTimeIdCursor, timeIdPage } from '../../http/page-cursor.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { IdempotencyHeaders } from '../../plugins/idempotency.js'
import { requireSession } from '../accounts/index.js'
import { MAX_AMOUNT } from '../ledger/index.js'
import { emptyBodyIsObject, type Actor } from '../milestones/index.js'
import { createDisputesRepository, type DisputeMessageRow, type DisputeView } from './disputes.repository.js'
import type { DisputeOutcome, DisputesService } from './disputes.service.js'

const Split = Type.Integer({
  minimum: 0,
  maximum: MAX_AMOUNT,
  description: 'Gross amount of the hold for the freelancer (the fee comes off it); the rest returns to the client',
})
const DateTime = Type.String({ format: 'date-time' })
const NullableTime = Type.Union([DateTime, Type.Null()])
const NullableInt = Type.Union([Type.Integer(), Type.Null()])

export const Dispute = Type.Object({
  id: Type.String(),
  milestoneId: Type.String(),
  contractId: Type.String(),
  openedBy: Type.String(),
  openerRole: Type.String(),
  reason: Type.String(),
  state: Type.String({ description: 'open | answered | escalated | resolved' }),
  resolution: Type.Union([Type.String({ description: 'settled | decided | lapsed' }), Type.Null()]),
  heldAmount: Type.Integer(),
  currency: Type.String({ description: "The contract's currency (ISO 4217): every amount of the dispute is in it" }),
  clientAccepts: NullableInt,
  freelancerAccepts: NullableInt,
  responseDueAt: DateTime,
  respondedAt: NullableTime,
  escalatedAt: NullableTime,
  freelancerAmount: NullableInt,
  decisionNote: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  resolvedAt: NullableTime,
  messages: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.String(),
        authorId: Type.Union([Type.String(), Type.Null()]),
        kind: Type.String(),
        message: Type.Union([Type.String(), Type.Null()]),
        freelancerAmount: NullableInt,
        createdAt: DateTime,
      }),
    ),
  ),
})
type DisputeDto = Static<typeof Dispute>

const num = (v: bigint | null) => (v === null ? null : Number(v))
export function toDispute(row: DisputeView, messages?: DisputeMessageRow[]): DisputeDto {
  return {
    id: row.id,
    milestoneId: row.milestoneId,
    contractId: row.contractId,
    openedBy: row.openedBy,
    openerRole: row.openerRole,
    reason: row.reason,
    state: row.state,
    resolution: row.resolution,
    heldAmount: Number(row.heldAmount),
    currency: row.currency,
    clientAccepts: num(row.clientAccepts),
    freelancerAccepts: num(row.freelancerAccepts),
    responseDueAt: row.responseDueAt.toISOString(),
    respondedAt: row.respondedAt?.toISOString() ?? null,
    escalatedAt: row.escalatedAt?.toISOString() ?? null,
    freelancerAmount: num(row.freelancerAmount),
    decisionNote: row.decisionNote,
    createdAt: row.createdAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    ...(messages
      ? {
          messages: messages.map((m) => ({
            id: m.id,
            authorId: m.authorId,
            kind: m.kind,
            message: m.message,
            freelancerAmount: num(m.freelancerAmount),
            createdAt: m.createdAt.toISOString(),
          })),
        }
      : {}),
  }
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody }

export const disputesRoutes: FastifyPluginAsyncTypebox<{
  disputes: DisputesService
  afterChange: (outcome: DisputeOutcome) => Promise<void>
}> = async (app, { disputes, afterChange }) => {
  const actorOf = (request: FastifyRequest): Actor => {
    const { user } = requireSession(request)
    return { id: user.id, role: user.role }
  }

  const act = createActionRunner<Actor, DisputeOutcome>(app, {
    actorOf,
    body: async (tx, outcome) =>
      toDispute(
        { ...outcome.dispute, currency: outcome.contract.currency },
        await createDisputesRepository(tx).messages(outcome.dispute.id),
      ),
    afterCommit: afterChange,
  })

  app.post(
    '/api/v1/milestones/:id/disputes',
    {
      schema: {
        tags: ['milestones'],
        summary:
          'Open a dispute on a funded or submitted milestone (either party); freezes release, refund and auto-release',
        params: IdParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 10_000 }), freelancerAmount: Type.Optional(Split) },
          { additionalProperties: false },
        ),
        response: { 201: Dispute, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: false,
        statusCode: 201,
        work: (tx, actor) =>
          disputes.open(tx, {
            milestoneId: request.params.id,
            actor,
            reason: request.body.reason,
            ...(request.body.freelancerAmount !== undefined
              ? { freelancerAmount: BigInt(request.body.freelancerAmount) }
              : {}),
          }),
      }),
  )

  app.get(
    '/api/v1/milestones/:id/disputes',
    {
      schema: {
        tags: ['milestones'],
        summary: "A milestone's disputes, newest first",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Dispute), nextCursor: Type.Null() }), ...errors },
      },
    },
    async (request) => ({
      items: (await disputes.ofMilestone(app.db, { milestoneId: request.params.id, actor: actorOf(request) })).map(
        (d) => toDispute(d),
      ),
      nextCursor: null,
    }),
  )

  app.get(
    '/api/v1/disputes/:id',
    {
      schema: {
        tags: ['milestones'],
        summary: 'One dispute with every step',
        params: IdParams,
        response: { 200: Dispute, ...errors },
      },
    },
    async (request) => {
      const { dispute, messages } = await disputes.get(app.db, {
        disputeId: request.params.id,
        actor: actorOf(request),
      })
      return toDispute(dispute, messages)
    },
  )

  app.post(
    '/api/v1/disputes/:id/respond',
    {
      schema: {
        tags: ['milestones'],
        summary:
          'Answer a dispute (the other side), optionally accepting a split: equal accepted splits settle it and move the money',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          { message: Type.String({ minLength: 1, maxLength: 10_000 }), freelancerAmount: Type.Optional(Split) },
          { additionalProperties: false },
        ),
        response: { 200: Dispute, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: true,
        work: (tx, actor) =>
          disputes.respond(tx, {
            disputeId: request.params.id,
            actor,
            message: request.body.message,
            ...(request.body.freelancerAmount !== undefined
              ? { freelancerAmount: BigInt(request.body.freelancerAmount) }
              : {}),
          }),
      }),
  )

  app.post(
    '/api/v1/disputes/:id/settle',
    {
      schema: {
        tags: ['milestones'],
        summary: 'Accept a split (either party); when both accepted the same split the money moves',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object({ freelancerAmount: Split }, { additionalProperties: false }),
        response: { 200: Dispute, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: true,
        work: (tx, actor) =>
          disputes.settle(tx, {
            disputeId: request.params.id,
            actor,
            freelancerAmount: BigInt(request.body.freelancerAmount),
          }),
      }),
  )

  app.post(
    '/api/v1/disputes/:id/escalate',
    {
      preValidation: emptyBodyIsObject,
      schema: {
        tags: ['milestones'],
        summary: 'Escalate a dispute to an operator (either party)',
        params: IdParams,
        body: Type.Object(
          { message: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })) },
          { additionalProperties: false },
        ),
        response: { 200: Dispute, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: false,
        work: (tx, actor) =>
          disputes.escalate(tx, {
            disputeId: request.params.id,
            actor,
            ...(request.body.message ? { message: request.body.message } : {}),
          }),
      }),
  )

  app.post(
    '/api/v1/admin/disputes/:id/decide',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['milestones'],
        summary: 'Decide a dispute (operators): the split is final and the money moves',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          { freelancerAmount: Split, note: Type.String({ minLength: 1, maxLength: 10_000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Dispute, ...errors },
      },
    },
    async (request, reply) =>
      act(request, reply, {
        idempotent: true,
        work: (tx, actor) =>
          disputes.decide(tx, {
            disputeId: request.params.id,
            actor,
            freelancerAmount: BigInt(request.body.freelancerAmount),
            note: request.body.note,
          }),
      }),
  )

  app.get(
    '/api/v1/admin/disputes',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['milestones'],
        summary: 'Disputes of the instance, newest first (operators); `?state=escalated`',
        querystring: Type.Object({
          state: Type.Optional(Type.String({ pattern: '^[a-z]{1,16}$' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Dispute), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { state, limit = 20, cursor } = request.query
      const rows = await createDisputesRepository(app.db).page({
        ...(state ? { state } : {}),
        ...(cursor ? { after: parseTimeIdCursor(cursor) } : {}),
        limit: limit + 1,
      })
      const { items, nextCursor } = timeIdPage(rows, limit)
      return { items: items.map((d) => toDispute(d)), nextCursor }
    },
  )
}
