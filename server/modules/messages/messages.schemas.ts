import { Type } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../http/schemas.js'

/** Longest message body, in characters. */
export const MAX_MESSAGE_CHARS = 20_000
/** Most files one message may attach. */
export const MAX_ATTACHMENTS = 10

const Attachment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  version: Type.Integer(),
  size: Type.Integer(),
  contentType: Type.String(),
  deleted: Type.Boolean(),
})

export const Message = Type.Object({
  id: Type.String({ format: 'uuid' }),
  threadId: Type.String({ format: 'uuid' }),
  body: Type.String(),
  authorId: Type.String({ format: 'uuid' }),
  createdAt: Type.String({ format: 'date-time' }),
  attachments: Type.Array(Attachment),
})

export const PostMessageBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_CHARS }),
    attachmentFileIds: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), { maxItems: MAX_ATTACHMENTS, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
)

export const MessagesQuery = Type.Object({
  ...PageQuery,
  order: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('oldest')], { default: 'newest' })),
})

export const MessageList = Type.Object({
  items: Type.Array(Message),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const Thread = Type.Object({
  id: Type.String({ format: 'uuid' }),
  workroomId: Type.String({ format: 'uuid' }),
  freelancer: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
  unreadCount: Type.Integer(),
  lastReadMessageId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  lastMessage: Type.Union([
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      authorId: Type.String({ format: 'uuid' }),
      createdAt: Type.String({ format: 'date-time' }),
      preview: Type.String({ description: 'The first 200 characters' }),
    }),
    Type.Null(),
  ]),
  createdAt: Type.String({ format: 'date-time' }),
})

export const ThreadList = Type.Object({
  items: Type.Array(Thread),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const ReadBody = Type.Object({ upToMessageId: Type.String({ format: 'uuid' }) }, { additionalProperties: false })

export const ReadResult = Type.Object({
  threadId: Type.String({ format: 'uuid' }),
  lastReadMessageId: Type.String({ format: 'uuid' }),
  unreadCount: Type.Integer(),
})
