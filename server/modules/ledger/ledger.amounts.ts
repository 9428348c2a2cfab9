import { Type } from '@fastify/type-provider-typebox'
import { MAX_LEDGER_AMOUNT } from '../../../db/schema/index.js'

/**
 * Money at the HTTP edge. Inside the server amounts are `bigint` minor units (exact); on
 * the wire they are JSON integers. The ledger's CHECKs keep every balance and amount within
 * ±(2^53 - 1), so the conversion below is always exact; it throws rather than round.
 */
export const MAX_AMOUNT = Number(MAX_LEDGER_AMOUNT)

/** A positive amount in minor units, as a request carries it. */
export const AmountSchema = Type.Integer({
  minimum: 1,
  maximum: MAX_AMOUNT,
  description: 'Integer minor units (cents)',
})
/** Any amount in minor units in an answer (balances, totals; never negative except the world account). */
export const MoneySchema = Type.Integer({ description: 'Integer minor units' })

export function toJsonAmount(value: bigint): number {
  if (value > MAX_LEDGER_AMOUNT || value < -MAX_LEDGER_AMOUNT)
    throw new RangeError(`amount ${value} is beyond 2^53 - 1`)
  return Number(value)
}

/** A value from a raw SQL aggregate (numeric arrives as a string) as a bigint. */
export function sqlBigint(value: unknown): bigint {
  if (value === null || value === undefined) return 0n
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') return BigInt(value)
  return BigInt(String(value))
}

/**
 * The platform fee on a release: `floor(gross * bps / 10000)`, computed in bigint so no
 * product is ever rounded. The freelancer gets `gross - fee`, so fee + net = gross exactly;
 * rounding down leaves the odd minor unit with the freelancer.
 */
export function platformFee(gross: bigint, bps: number): { fee: bigint; net: bigint } {
  const fee = (gross * BigInt(bps)) / 10_000n
  return { fee, net: gross - fee }
}
