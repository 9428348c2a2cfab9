import { createHash } from 'node:crypto'
import { canonicalJson } from '../../../common/canonical-json.js'

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

/** sha256(prevHash + canonical content): each entry commits to the whole chain before it. */
export function entryHash(prevHash: string, content: ChainedContent): string {
  const canonical = canonicalJson({ ...content, createdAt: content.createdAt.toISOString() })
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex')
}
