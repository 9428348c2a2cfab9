import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** A new endpoint secret: `whsec_` and 32 random bytes in base64url. The whole string is the HMAC key. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

/**
 * The `Workroom-Signature` header (the Stripe scheme): `t=<unix seconds>,v1=<hex>` where the
 * hex is HMAC-SHA256, keyed with the endpoint's secret, of `<t>.<body>`.
 */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return `t=${t},v1=${v1}`
}

/**
 * What a receiver runs (the same code as in docs/webhooks.md): true when one `v1` of the
 * header matches and its `t` is within `toleranceSeconds` of now.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds = Date.now() / 1000,
  toleranceSeconds = 300,
): boolean {
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string])
  const t = parts.find(([key]) => key === 't')?.[1]
  if (!t || !/^\d+$/.test(t) || Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest()
  return parts.some(
    ([key, value]) =>
      key === 'v1' && /^[0-9a-f]{64}$/.test(value) && timingSafeEqual(Buffer.from(value, 'hex'), expected),
  )
}
