import { createHash } from 'node:crypto'

/** The hash before the first entry of every workroom. */
export const GENESIS_HASH = '0'.repeat(64)

export interface ChainedContent {
  workroomId: string
  seq: number
  actorId: string | null
  type: string
  scopeFreelancerId: string | null
  data: unknown
  createdAt: Date
}

/** JSON with object keys sorted at every depth, so the same content always hashes alike (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

/** sha256(prevHash + canonical content): each entry commits to the whole chain before it. */
export function entryHash(prevHash: string, content: ChainedContent): string {
  const canonical = canonicalJson({ ...content, createdAt: content.createdAt.toISOString() })
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex')
}
