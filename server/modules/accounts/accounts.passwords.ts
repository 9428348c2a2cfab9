import { hash, verify, type Options } from '@node-rs/argon2'

// Argon2id (algorithm 2) at OWASP's floor: 19 MiB, 2 passes, 1 lane.
// (`Algorithm` is an ambient const enum, which isolatedModules cannot reference.)
const options: Options = { algorithm: 2 as Options['algorithm'], memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 }

export function hashPassword(password: string): Promise<string> {
  return hash(password, options)
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

/** Verified against when the email is unknown, so a miss costs as long as a wrong password. */
export const decoyHash = await hashPassword('decoy password, never matches anything real')
