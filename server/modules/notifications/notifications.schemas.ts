import { Type, type Static } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../http/schemas.js'
import {
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_TYPES,
  type NotificationCategory,
  type NotificationChannel,
  type NotificationType,
} from './notifications.types.js'

export const Channel = Type.Unsafe<NotificationChannel>(
  Type.String({
    enum: [...NOTIFICATION_CHANNELS],
    description:
      '`in_app`: list and bell only; `email`: also a mail at once; `digest`: also in the daily digest; `off`: nothing',
  }),
)
const TypeName = Type.Unsafe<NotificationType>(Type.String({ enum: [...NOTIFICATION_TYPES] }))
const Category = Type.Unsafe<NotificationCategory>(Type.String({ enum: [...NOTIFICATION_CATEGORIES] }))

export const Notification = Type.Object({
  id: Type.String({ format: 'uuid' }),
  eventId: Type.String({ format: 'uuid' }),
  type: TypeName,
  category: Category,
  title: Type.String(),
  link: Type.String({ description: 'The web-app path of the object it is about' }),
  subject: Type.Object({ kind: Type.String(), id: Type.String() }),
  workroomId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  contractId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
})
export type NotificationDto = Static<typeof Notification>

export const NotificationListQuery = Type.Object({
  ...PageQuery,
  unread: Type.Optional(Type.Boolean({ description: 'Only unread ones' })),
})

export const NotificationList = Type.Object({
  items: Type.Array(Notification),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  unread: Type.Integer({ minimum: 0, description: 'How many of all the caller’s notifications are unread' }),
})

export const ReadBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 100, uniqueItems: true })),
    all: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
)

export const ReadResult = Type.Object({
  updated: Type.Integer({ minimum: 0, description: 'How many turned read (others’ ids and read ones count nothing)' }),
  unread: Type.Integer({ minimum: 0 }),
})

const perCategory = Object.fromEntries(NOTIFICATION_CATEGORIES.map((c) => [c, Channel])) as Record<
  (typeof NOTIFICATION_CATEGORIES)[number],
  typeof Channel
>

export const Preferences = Type.Object({
  categories: Type.Object(perCategory),
  defaults: Type.Object(perCategory),
})

export const PreferencesBody = Type.Object(
  { categories: Type.Partial(Type.Object(perCategory), { additionalProperties: false, minProperties: 1 }) },
  { additionalProperties: false },
)

/** RFC 8058's form body (`List-Unsubscribe=One-Click`); the web page sends the same, or nothing. */
export const UnsubscribeBody = Type.Optional(
  Type.Object({ 'List-Unsubscribe': Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
)

export const UnsubscribeQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4200 }) })

export const UnsubscribeView = Type.Object({
  categories: Type.Array(Category),
  email: Type.Boolean({ description: 'Whether any of these categories still sends email' }),
})
