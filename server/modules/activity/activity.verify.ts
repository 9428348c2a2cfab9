import type { Executor } from '../../../db/client.js'
import { entryHash, GENESIS_HASH } from './activity.chain.js'
import { createActivityRepository } from './activity.repository.js'

export interface ChainVerification {
  ok: boolean
  /** Entries in the workroom's whole chain. */
  entries: number
  /** The first entry that is missing, out of order, altered, or does not follow from the one before; null when ok. */
  firstBrokenSeq: number | null
}

/** Entries read per query while walking a chain. */
const BATCH = 500

/**
 * Recomputes a workroom's hash chain from the genesis hash. Each entry must have the next
 * seq, carry the previous entry's hash, and hash to its stored hash; an entry edited in the
 * database (even with its own hash recomputed) breaks the chain there or at the next one.
 */
export async function verifyChain(db: Executor, workroomId: string): Promise<ChainVerification> {
  const repository = createActivityRepository(db)
  let previous = GENESIS_HASH
  let expectedSeq = 1
  let firstBrokenSeq: number | null = null
  let afterSeq = 0
  for (;;) {
    const rows = await repository.page({ workroomId, freelancerScope: null, afterSeq, limit: BATCH })
    for (const row of rows) {
      const recomputed = entryHash(previous, {
        workroomId: row.workroomId,
        seq: row.seq,
        actorId: row.actorId,
        type: row.type,
        scopeFreelancerId: row.scopeFreelancerId,
        data: row.data,
        createdAt: row.createdAt,
      })
      if (row.seq !== expectedSeq || row.prevHash !== previous || row.hash !== recomputed) {
        firstBrokenSeq = Math.min(row.seq, expectedSeq)
        break
      }
      previous = row.hash
      expectedSeq++
    }
    if (firstBrokenSeq !== null || rows.length < BATCH) break
    afterSeq = rows[rows.length - 1]!.seq
  }
  return { ok: firstBrokenSeq === null, entries: await repository.count(workroomId), firstBrokenSeq }
}
