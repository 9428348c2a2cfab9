import { Type } from '@fastify/type-provider-typebox'
import { CURRENCIES, type Currency } from '../../common/money.js'

/** The body of every 4xx/5xx answer. */
export const ErrorBody = Type.Object(
  { code: Type.String(), message: Type.String(), requestId: Type.String() },
  { additionalProperties: true },
)

/**
 * A currency the product supports: the one list in `common/money.ts`, for every amount a
 * request names (jobs, deposits, withdrawals, invoice filters, profile rates). Anything else
 * is a 400 naming the field.
 */
export const CurrencyCode = Type.Unsafe<Currency>(
  Type.String({ enum: [...CURRENCIES], description: `ISO 4217 code, one of ${CURRENCIES.join(', ')}` }),
)

/** Opaque ids are UUIDs; anything else in a path is simply not found. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

/** `{ items, nextCursor }` with `?limit=` (max 100) and `?cursor=`. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
}
