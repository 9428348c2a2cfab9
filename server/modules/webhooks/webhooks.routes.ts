import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import type { AttemptRow, DeliveryRow, EndpointRow } from './webhooks.repository.js'
import {
  CreateEndpointBody,
  DeliveriesQuery,
  Delivery,
  DeliveryList,
  DeliveryParams,
  DeliveryWithAttempts,
  Endpoint,
  EndpointList,
  EndpointWithSecret,
  EventTypeList,
  SecretRotated,
  UpdateEndpointBody,
  type DeliveryDto,
  type EndpointDto,
} from './webhooks.schemas.js'
import type { Caller, WebhooksService } from './webhooks.service.js'

export function toEndpointDto(row: EndpointRow): EndpointDto {
  return {
    id: row.id,
    scope: row.scope as EndpointDto['scope'],
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.disabledAt === null,
    disabledReason: row.disabledReason as EndpointDto['disabledReason'],
    disabledAt: row.disabledAt?.toISOString() ?? null,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function toDeliveryDto(row: DeliveryRow): DeliveryDto {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status as DeliveryDto['status'],
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastStatusCode: row.lastStatusCode,
    lastDurationMs: row.lastDurationMs,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  }
}

const toAttemptDto = (row: AttemptRow) => ({
  attempt: row.attempt,
  at: row.at.toISOString(),
  statusCode: row.statusCode,
  durationMs: row.durationMs,
  error: row.error,
})

function callerOf(request: FastifyRequest): Caller {
  const { user } = requireSession(request)
  return { id: user.id, operator: user.role === 'operator' }
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }
const tags = ['webhooks']
const ownerOnly = 'Only its owner (for an instance-wide endpoint: any operator) sees it; anyone else gets 404.'

export const webhooksRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (app, { webhooks }) => {
  app.get(
    '/api/v1/webhooks/event-types',
    {
      schema: {
        tags,
        summary:
          'Every event type an endpoint may subscribe to (each body schema is in this document under `webhooks`)',
        response: { 200: EventTypeList, 401: ErrorBody },
      },
    },
    async () => ({ items: [...webhooks.eventTypes] }),
  )

  app.post(
    '/api/v1/webhooks',
    {
      schema: {
        tags,
        summary: 'Register an endpoint: the answer shows its signing secret, this once',
        description:
          'The URL must resolve to public addresses only (loopback, private, link-local and the like are refused ' +
          'unless the operator set `WEBHOOK_ALLOW_PRIVATE`). `scope: "instance"` (operators) receives every event ' +
          'once; a user endpoint receives the events its owner is notified of. At most 20 endpoints per account.',
        body: CreateEndpointBody,
        response: { 201: EndpointWithSecret, ...errors },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await webhooks.create(callerOf(request), request.body)
      return reply.status(201).send({ ...toEndpointDto(endpoint), secret })
    },
  )

  app.get(
    '/api/v1/webhooks',
    {
      schema: {
        tags,
        summary: "Your endpoints (an operator also sees every instance-wide one); secrets aren't shown",
        response: { 200: EndpointList, 401: ErrorBody },
      },
    },
    async (request) => ({ items: (await webhooks.list(callerOf(request))).map(toEndpointDto) }),
  )

  app.get(
    '/api/v1/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'One endpoint',
        description: ownerOnly,
        params: IdParams,
        response: { 200: Endpoint, ...errors },
      },
    },
    async (request) => toEndpointDto(await webhooks.get(callerOf(request), request.params.id)),
  )

  app.patch(
    '/api/v1/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Change the URL, event types or description; pause or turn on again (`enabled`)',
        description: `Turning a disabled endpoint on resets its failure count; deliveries still pending go out again. ${ownerOnly}`,
        params: IdParams,
        body: UpdateEndpointBody,
        response: { 200: Endpoint, ...errors },
      },
    },
    async (request) => toEndpointDto(await webhooks.update(callerOf(request), request.params.id, request.body)),
  )

  app.delete(
    '/api/v1/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Delete an endpoint and its delivery log (pending deliveries are dropped)',
        description: ownerOnly,
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await webhooks.remove(callerOf(request), request.params.id)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/api/v1/webhooks/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'A new signing secret, shown this once; every delivery from now on is signed with it',
        description: ownerOnly,
        params: IdParams,
        response: { 200: SecretRotated, ...errors },
      },
    },
    async (request) => ({ secret: await webhooks.rotateSecret(callerOf(request), request.params.id) }),
  )

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        summary: 'The delivery log, newest first: status, attempts, last status code and duration',
        description: ownerOnly,
        params: IdParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryList, ...errors },
      },
    },
    async (request) => {
      const { items, nextCursor } = await webhooks.deliveries(callerOf(request), {
        endpointId: request.params.id,
        limit: request.query.limit ?? 20,
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      })
      return { items: items.map(toDeliveryDto), nextCursor }
    },
  )

  app.get(
    '/api/v1/webhooks/:id/deliveries/:deliveryId',
    {
      schema: {
        tags,
        summary: 'One delivery: the body sent and every attempt (when, status code, duration, error)',
        description: ownerOnly,
        params: DeliveryParams,
        response: { 200: DeliveryWithAttempts, ...errors },
      },
    },
    async (request) => {
      const { delivery, attempts } = await webhooks.delivery(
        callerOf(request),
        request.params.id,
        request.params.deliveryId,
      )
      return { ...toDeliveryDto(delivery), body: delivery.body, log: attempts.map(toAttemptDto) }
    },
  )

  app.post(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      schema: {
        tags,
        summary: 'Send a delivered or failed event again: same event id and body, a new run of retries',
        description: `409 while it is still pending. ${ownerOnly}`,
        params: DeliveryParams,
        response: { 202: Delivery, ...errors },
      },
    },
    async (request, reply) => {
      const row = await webhooks.redeliver(callerOf(request), request.params.id, request.params.deliveryId)
      return reply.status(202).send(toDeliveryDto(row))
    },
  )
}
