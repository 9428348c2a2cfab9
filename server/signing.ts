import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import fp from 'fastify-plugin'
import type { Clock } from './clock.js'

/**
 * Signed, expiring tokens for links sent by mail (email verification, one-click
 * unsubscribe...): `<payload>.<signature>`, both base64url, the signature an HMAC-SHA256 over
 * the purpose and the payload, so a token made for one purpose never passes for another.
 * A signature proves only that the server made the token; single use is the caller's job.
 */
export interface Signer {
  sign(purpose: string, payload: object, expiresAt: Date): string
  /** The payload, or null when the token is malformed, tampered with, for another purpose or expired. */
  verify<T extends object = Record<string, unknown>>(purpose: string, token: string): T | null
}

declare module 'fastify' {
  interface FastifyInstance {
    signer: Signer
  }
}

const tokenPattern = /^[A-Za-z0-9_-]{2,4096}\.[A-Za-z0-9_-]{43}$/

export function createSigner(key: Buffer, clock: Clock): Signer {
  const mac = (purpose: string, body: string) =>
    createHmac('sha256', key).update(purpose).update('\n').update(body).digest()
  return {
    sign(purpose, payload, expiresAt) {
      const body = Buffer.from(JSON.stringify({ p: payload, e: expiresAt.getTime() })).toString('base64url')
      return `${body}.${mac(purpose, body).toString('base64url')}`
    },
    verify<T extends object>(purpose: string, token: string): T | null {
      if (typeof token !== 'string' || !tokenPattern.test(token)) return null
      const [body, signature] = token.split('.') as [string, string]
      const given = Buffer.from(signature, 'base64url')
      const expected = mac(purpose, body)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
      let decoded: unknown
      try {
        decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
      } catch {
        return null
      }
      const { p, e } = (decoded ?? {}) as { p?: unknown; e?: unknown }
      if (typeof e !== 'number' || e <= clock.now().getTime()) return null
      if (!p || typeof p !== 'object') return null
      return p as T
    },
  }
}

/**
 * The configured SECRET_KEY, or a random key made once and kept in `DATA_DIR/secret.key`
 * (so a single `npm start` works; several instances must share SECRET_KEY instead).
 */
export async function loadSigningKey(secretKey: string | null, dataDir: string): Promise<Buffer> {
  if (secretKey) return Buffer.from(secretKey, 'utf8')
  const file = path.join(dataDir, 'secret.key')
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(dataDir, { recursive: true })
  // Written whole under another name, then linked: two processes starting at once on one
  // data directory both end up with the first link's key, never a half-written file.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
  await writeFile(draft, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 })
  try {
    await link(draft, file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    await rm(draft, { force: true })
  }
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')
}

export const signerPlugin = fp<{ secretKey: string | null; dataDir: string; clock: Clock }>(
  async (app, { secretKey, dataDir, clock }) => {
    app.decorate('signer', createSigner(await loadSigningKey(secretKey, dataDir), clock))
  },
  { name: 'signer' },
)
