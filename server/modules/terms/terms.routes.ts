import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import type { TermsService } from './terms.service.js'

const Milestone = Type.Object({
  title: Type.String(),
  amount: Type.Integer(),
  dueDate: Type.Union([Type.String(), Type.Null()], { description: 'YYYY-MM-DD, or null: no due date' }),
})
const Terms = Type.Object({
  currency: Type.String(),
  price: Type.Union([Type.Integer(), Type.Null()]),
  hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
  weeklyLimitMinutes: Type.Union([Type.Integer(), Type.Null()]),
  manualTimeAllowed: Type.Boolean(),
  milestones: Type.Array(Milestone),
  scope: Type.String(),
})
const TermsVersion = Type.Object({
  version: Type.Integer(),
  hash: Type.String({ description: 'sha256 (hex) of the canonical JSON of `terms`; accept with it' }),
  terms: Terms,
  proposedBy: Type.Union([Type.String(), Type.Null()]),
  clientAcceptedAt: Type.Union([Type.String(), Type.Null()]),
  freelancerAcceptedAt: Type.Union([Type.String(), Type.Null()]),
  boundAt: Type.Union([Type.String(), Type.Null()], {
    description: 'Set once both parties accepted: these terms bind',
  }),
  createdAt: Type.String(),
})
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody }

export const termsRoutes: FastifyPluginAsyncTypebox<{ terms: TermsService }> = async (app, { terms }) => {
  app.post(
    '/api/v1/contracts/:id/terms/versions',
    {
      schema: {
        tags: ['contracts'],
        summary: 'Freeze the live terms draft as the next version (you accept it by proposing it)',
        params: IdParams,
        response: { 201: TermsVersion, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await terms.propose({ contractId: request.params.id, userId: requireSession(request).user.id })),
  )

  app.get(
    '/api/v1/contracts/:id/terms/versions',
    {
      schema: {
        tags: ['contracts'],
        summary: 'Every terms version of a contract, oldest first',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(TermsVersion), nextCursor: Type.Null() }), ...errors },
      },
    },
    async (request) => ({
      items: await terms.list({ contractId: request.params.id, userId: requireSession(request).user.id }),
      nextCursor: null,
    }),
  )

  app.post(
    '/api/v1/contracts/:id/terms/versions/:n/accept',
    {
      schema: {
        tags: ['contracts'],
        summary: "Accept the other party's version (with its hash): the terms bind",
        params: Type.Object({
          id: Type.String({ format: 'uuid' }),
          n: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
        }),
        body: Type.Object({ hash: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false }),
        response: { 200: TermsVersion, ...errors },
      },
    },
    async (request) =>
      terms.accept({
        contractId: request.params.id,
        userId: requireSession(request).user.id,
        version: request.params.n,
        hash: request.body.hash,
      }),
  )
}
