import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Transaction } from '../../../db/client.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { IdempotencyHeaders, type Idempotency } from '../../plugins/idempotency.js'
import { requireSession } from '../accounts/index.js'
import type { DisputesService } from './timesheets.disputes.js'
import { Dispute, Timesheet, toDispute, toTimesheet } from './timesheets.schemas.js'
import type { Notify, TimesheetsService } from './timesheets.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody }
const Minutes = Type.Integer({ minimum: 0, maximum: 7 * 24 * 60 })

export const timesheetsRoutes: FastifyPluginAsyncTypebox<{
  timesheets: TimesheetsService
  disputes: DisputesService
  idempotency: Idempotency
}> = async (app, { timesheets, disputes, idempotency }) => {
  /** Runs a money-moving step once per Idempotency-Key, then sends its notifications. */
  const money = (
    request: FastifyRequest,
    reply: FastifyReply,
    work: (tx: Transaction, out: Notify) => Promise<unknown>,
    statusCode = 200,
  ) =>
    idempotency.run({
      request,
      reply,
      userId: requireSession(request).user.id,
      work: async (tx) => {
        const out: Notify = []
        const body = await work(tx, out)
        return { statusCode, body, afterCommit: () => timesheets.flush(out) }
      },
    })

  app.get(
    '/api/v1/contracts/:id/timesheets',
    {
      schema: {
        tags: ['timesheets'],
        summary: 'The weekly timesheets of an hourly contract (both parties)',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Timesheet), nextCursor: Type.Null() }), ...errors },
      },
    },
    async (request) => {
      const views = await timesheets.list({ contractId: request.params.id, userId: requireSession(request).user.id })
      return { items: views.map(toTimesheet), nextCursor: null }
    },
  )

  app.get(
    '/api/v1/timesheets/:id',
    {
      schema: {
        tags: ['timesheets'],
        summary: 'A week: totals (protected and unprotected), state, deadlines, invoices, dispute',
        params: IdParams,
        response: { 200: Timesheet, ...errors },
      },
    },
    async (request) =>
      toTimesheet(await timesheets.get({ id: request.params.id, userId: requireSession(request).user.id })),
  )

  app.patch(
    '/api/v1/timesheets/:id',
    {
      schema: {
        tags: ['timesheets'],
        summary: "The freelancer's notes on a week not yet submitted",
        params: IdParams,
        body: Type.Object({ notes: Type.String({ maxLength: 5000 }) }, { additionalProperties: false }),
        response: { 200: Timesheet, ...errors },
      },
    },
    async (request) =>
      toTimesheet(
        await timesheets.setNotes({
          id: request.params.id,
          userId: requireSession(request).user.id,
          notes: request.body.notes,
        }),
      ),
  )

  app.post(
    '/api/v1/timesheets/:id/submit',
    {
      schema: {
        tags: ['timesheets'],
        summary: 'Submit the week (freelancer, until its submitDeadline): locks its time and sends the draft invoice',
        params: IdParams,
        body: Type.Optional(
          Type.Object({ notes: Type.Optional(Type.String({ maxLength: 5000 })) }, { additionalProperties: false }),
        ),
        response: { 200: Timesheet, ...errors },
      },
    },
    async (request) =>
      toTimesheet(
        await timesheets.submit({
          id: request.params.id,
          userId: requireSession(request).user.id,
          notes: request.body?.notes,
        }),
      ),
  )

  app.post(
    '/api/v1/timesheets/:id/approve',
    {
      schema: {
        tags: ['timesheets'],
        summary: 'Approve the week (client): the draft becomes a numbered formal invoice, paid from the wallet',
        params: IdParams,
        headers: IdempotencyHeaders,
        response: { 200: Timesheet, ...errors },
      },
    },
    async (request, reply) =>
      money(request, reply, async (tx, out) =>
        toTimesheet(
          await timesheets.approve(tx, { id: request.params.id, userId: requireSession(request).user.id }, out),
        ),
      ),
  )

  app.post(
    '/api/v1/timesheets/:id/dispute',
    {
      schema: {
        tags: ['timesheets'],
        summary: 'Dispute minutes of the week (client, until its reviewDueAt); the rest is approved and paid now',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            minutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 }),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ timesheet: Timesheet, dispute: Dispute }), ...errors },
      },
    },
    async (request, reply) =>
      money(
        request,
        reply,
        async (tx, out) => {
          const result = await disputes.open(
            tx,
            { id: request.params.id, userId: requireSession(request).user.id, ...request.body },
            out,
          )
          return { timesheet: toTimesheet(result.view), dispute: toDispute(result.dispute) }
        },
        201,
      ),
  )

  app.get(
    '/api/v1/timesheet-disputes/:id',
    {
      schema: {
        tags: ['timesheets'],
        summary: 'An hourly dispute',
        params: IdParams,
        response: { 200: Dispute, ...errors },
      },
    },
    async (request) =>
      toDispute(await disputes.get({ id: request.params.id, userId: requireSession(request).user.id })),
  )

  app.post(
    '/api/v1/timesheet-disputes/:id/respond',
    {
      schema: {
        tags: ['timesheets'],
        summary: "The freelancer's answer (within 3 days), optionally proposing the minutes to be paid",
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          { message: Type.String({ minLength: 1, maxLength: 2000 }), minutes: Type.Optional(Minutes) },
          { additionalProperties: false },
        ),
        response: { 200: Dispute, ...errors },
      },
    },
    async (request, reply) =>
      money(request, reply, async (tx, out) =>
        toDispute(
          await disputes.respond(
            tx,
            { id: request.params.id, userId: requireSession(request).user.id, ...request.body },
            out,
          ),
        ),
      ),
  )

  app.post(
    '/api/v1/timesheet-disputes/:id/settle',
    {
      schema: {
        tags: ['timesheets'],
        summary: 'Propose how many disputed minutes are paid; the same number from both sides settles it',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object({ minutes: Minutes }, { additionalProperties: false }),
        response: { 200: Dispute, ...errors },
      },
    },
    async (request, reply) =>
      money(request, reply, async (tx, out) =>
        toDispute(
          await disputes.settle(
            tx,
            { id: request.params.id, userId: requireSession(request).user.id, minutes: request.body.minutes },
            out,
          ),
        ),
      ),
  )

  app.post(
    '/api/v1/timesheet-disputes/:id/escalate',
    {
      schema: {
        tags: ['timesheets'],
        summary: 'Ask an operator to decide',
        params: IdParams,
        response: { 200: Dispute, ...errors },
      },
    },
    async (request) =>
      toDispute(await disputes.escalate({ id: request.params.id, userId: requireSession(request).user.id })),
  )

  app.post(
    '/api/v1/admin/timesheet-disputes/:id/decide',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['timesheets'],
        summary: 'Operator: decide how many of the disputed minutes are paid',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object({ minutes: Minutes }, { additionalProperties: false }),
        response: { 200: Dispute, ...errors },
      },
    },
    async (request, reply) =>
      money(request, reply, async (tx, out) =>
        toDispute(
          await disputes.decide(
            tx,
            { id: request.params.id, operatorId: requireSession(request).user.id, minutes: request.body.minutes },
            out,
          ),
        ),
      ),
  )
}
