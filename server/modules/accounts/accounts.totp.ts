import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30
/** Codes of the step before and after the current one pass too (clock drift, slow typing). */
export const TOTP_WINDOW = 1

export function totpFor(secretBase32: string, label = 'account', issuer = 'Workroom'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  })
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

/** The time step a 6-digit code belongs to at `now`, or null when it matches none in the window. */
export function matchTotp(secretBase32: string, code: string, now: Date): number | null {
  const totp = totpFor(secretBase32)
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: TOTP_WINDOW })
  if (delta === null) return null
  return totp.counter({ timestamp: now.getTime() }) + delta
}

/**
 * Seals TOTP secrets at rest with AES-256-GCM under a key derived from the server's signing
 * key (SECRET_KEY, or DATA_DIR/secret.key): a copy of the database alone does not give them.
 */
export function createSecretBox(signingKey: Buffer) {
  const key = createHmac('sha256', signingKey).update('workroom: TOTP secrets at rest').digest()
  return {
    seal(plain: string): string {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return ['v1', iv, sealed, cipher.getAuthTag()]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.')
    },
    /** The secret, or null when it was sealed under another key (SECRET_KEY changed). */
    open(sealed: string): string | null {
      const [version, iv, body, tag] = sealed.split('.')
      if (version !== 'v1' || !iv || !body || !tag) return null
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
      } catch {
        return null
      }
    },
  }
}
export type SecretBox = ReturnType<typeof createSecretBox>

// Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A recovery code: 16 characters of base32 (80 random bits) in four groups, e.g. `7K2M-QX9D-R4TB-H0WE`. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(10)
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return out.match(/.{4}/g)!.join('-')
}

/** What is hashed: upper case, no spaces or dashes, and the look-alikes read as Crockford does. */
export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code)).digest('hex')
}
