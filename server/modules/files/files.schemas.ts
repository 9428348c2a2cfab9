import { Type } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../http/schemas.js'

export const FileSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  workroomId: Type.String({ format: 'uuid' }),
  /** The thread the file belongs to; null for a file the client shared with the whole workroom. */
  threadId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  scope: Type.Union([Type.Literal('thread'), Type.Literal('workroom')]),
  name: Type.String(),
  version: Type.Integer(),
  size: Type.Integer(),
  contentType: Type.String({ description: 'Sniffed from the bytes, never from the name or the upload headers' }),
  sha256: Type.String(),
  uploaderId: Type.String({ format: 'uuid' }),
  createdAt: Type.String({ format: 'date-time' }),
})

export const FileListQuery = Type.Object({
  ...PageQuery,
  threadId: Type.Optional(Type.String({ format: 'uuid' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
})

export const FileList = Type.Object({
  items: Type.Array(FileSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
