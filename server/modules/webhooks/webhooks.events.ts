import { Type, type Static } from '@fastify/type-provider-typebox'

/** What a delivery needs of a notification event (the notifications module's `NotifiedEvent`). */
export interface SourceEvent {
  eventId: string
  type: string
  createdAt: Date
  workroomId?: string | null
  contractId?: string | null
  subject: { kind: string; id: string }
  title: string
  link: string
  data?: Record<string, unknown>
  recipients: readonly { userId: string }[]
}

const WebhookObject = Type.Object(
  {
    kind: Type.String({ description: 'What the event is about: `milestone`, `contract`, `dispute`...' }),
    id: Type.String({ description: 'Its id' }),
    workroomId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    contractId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    title: Type.String({ description: 'One sentence in words, as the notification shows it' }),
    url: Type.String({ description: 'Where the web app shows it (absolute)' }),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description: 'Small facts of the event (amounts as `{ amount: "50000", currency: "USD" }` in minor units)',
    }),
  },
  { additionalProperties: false },
)

/** The JSON body of one delivery of one event type (an instance-wide endpoint also gets `recipientIds`). */
export function webhookEventSchema(type: string) {
  return Type.Object(
    {
      id: Type.String({
        format: 'uuid',
        description: 'The event id: the same in every delivery and retry of this event',
      }),
      type: Type.Literal(type),
      createdAt: Type.String({ format: 'date-time' }),
      data: Type.Object(
        {
          object: WebhookObject,
          recipientIds: Type.Optional(
            Type.Array(Type.String({ format: 'uuid' }), {
              description: 'The users notified (instance-wide endpoints only)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false, title: `Webhook event ${type}` },
  )
}

export type WebhookEventBody = Static<ReturnType<typeof webhookEventSchema>>

/** The exact body POSTed to an endpoint of `scope` for `event` (signed as these bytes). */
export function eventBody(event: SourceEvent, scope: 'user' | 'instance', publicUrl: string): string {
  const body: WebhookEventBody = {
    id: event.eventId,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    data: {
      object: {
        kind: event.subject.kind,
        id: event.subject.id,
        workroomId: event.workroomId ?? null,
        contractId: event.contractId ?? null,
        title: event.title,
        url: new URL(event.link, publicUrl).toString(),
        details: event.data ?? {},
      },
      ...(scope === 'instance' ? { recipientIds: [...new Set(event.recipients.map((r) => r.userId))] } : {}),
    },
  }
  return JSON.stringify(body)
}

/** The OpenAPI 3.1 `webhooks` entries: one per event type, with its body schema and the signature header. */
export function openapiWebhooks(types: readonly string[]): Record<string, object> {
  const entries: Record<string, object> = {}
  for (const type of types) {
    entries[type] = {
      post: {
        summary: `The ${type} event`,
        description:
          'POSTed to every enabled endpoint subscribed to this type (a user endpoint: when its owner is a recipient). ' +
          'Verify `Workroom-Signature` before trusting the body (docs/webhooks.md). Answer 2xx within the timeout; ' +
          'anything else is retried with backoff for up to 3 days, with the same `id`.',
        tags: ['webhooks'],
        parameters: [
          {
            name: 'Workroom-Signature',
            in: 'header',
            required: true,
            description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>`',
            schema: { type: 'string' },
          },
          { name: 'Workroom-Event-Id', in: 'header', required: true, schema: { type: 'string', format: 'uuid' } },
          { name: 'Workroom-Event-Type', in: 'header', required: true, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: webhookEventSchema(type) } } },
        responses: {
          '2XX': { description: 'Acknowledged: not sent again (unless redelivered by hand)' },
          default: { description: 'Not acknowledged: retried with backoff' },
        },
      },
    }
  }
  return entries
}
