import { Type, type Static } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../http/schemas.js'

/** Every event type, or one of those the notifications send (checked against the list at the edge). */
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^(\\*|[a-z_]+(\\.[a-z_]+)+)$' }), {
  minItems: 1,
  maxItems: 100,
  uniqueItems: true,
  description: 'Event types to receive (`GET /api/v1/webhooks/event-types`), or `["*"]` for all of them',
})

const Url = Type.String({
  minLength: 8,
  maxLength: 2000,
  description: 'An https:// (or http://) URL on a public address',
})

export const CreateEndpointBody = Type.Object(
  {
    url: Url,
    eventTypes: EventTypes,
    description: Type.Optional(Type.String({ maxLength: 200 })),
    scope: Type.Optional(
      Type.Union([Type.Literal('user'), Type.Literal('instance')], {
        description:
          '`user` (default): events in which you are notified. `instance` (operators only): every event on this server, once',
      }),
    ),
  },
  { additionalProperties: false },
)
export type CreateEndpointInput = Static<typeof CreateEndpointBody>

export const UpdateEndpointBody = Type.Object(
  {
    url: Type.Optional(Url),
    eventTypes: Type.Optional(EventTypes),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    enabled: Type.Optional(
      Type.Boolean({
        description: '`false` pauses deliveries; `true` turns it on again (and resets its failure count)',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateEndpointInput = Static<typeof UpdateEndpointBody>

export const Endpoint = Type.Object({
  id: Type.String({ format: 'uuid' }),
  scope: Type.Union([Type.Literal('user'), Type.Literal('instance')]),
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.Literal('manual'), Type.Literal('failing'), Type.Null()], {
    description: '`failing`: turned off after too many failed attempts in a row',
  }),
  disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  consecutiveFailures: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type EndpointDto = Static<typeof Endpoint>

export const EndpointWithSecret = Type.Intersect([
  Endpoint,
  Type.Object({
    secret: Type.String({ description: 'The signing secret: shown only now, in this answer' }),
  }),
])

export const EndpointList = Type.Object({ items: Type.Array(Endpoint) })

export const EventTypeList = Type.Object({ items: Type.Array(Type.String()) })

export const DeliveryParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  deliveryId: Type.String({ format: 'uuid' }),
})

export const DeliveriesQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
  },
  { additionalProperties: false },
)

export const Attempt = Type.Object({
  attempt: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'null: no answer (refused, timed out...)' }),
  durationMs: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
})

export const Delivery = Type.Object({
  id: Type.String({ format: 'uuid' }),
  eventId: Type.String({ format: 'uuid' }),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer({ description: 'Attempts made so far' }),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When it is tried next (pending only)',
  }),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type DeliveryDto = Static<typeof Delivery>

export const DeliveryList = Type.Object({
  items: Type.Array(Delivery),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const DeliveryWithAttempts = Type.Intersect([
  Delivery,
  Type.Object({
    body: Type.String({ description: 'The exact JSON body sent' }),
    log: Type.Array(Attempt),
  }),
])

export const SecretRotated = Type.Object({ secret: Type.String({ description: 'The new secret, shown only now' }) })
