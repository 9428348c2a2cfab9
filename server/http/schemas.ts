import { Type } from '@fastify/type-provider-typebox'

/** The body of every 4xx/5xx answer. */
export const ErrorBody = Type.Object(
  { code: Type.String(), message: Type.String(), requestId: Type.String() },
  { additionalProperties: true },
)

/** Opaque ids are UUIDs; anything else in a path is simply not found. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

/** `{ items, nextCursor }` with `?limit=` (max 100) and `?cursor=`. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
}
