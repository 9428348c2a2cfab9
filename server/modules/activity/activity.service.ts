import type { Executor } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { entryHash, GENESIS_HASH } from './activity.chain.js'
import { createActivityRepository, type ActivityRow } from './activity.repository.js'

export interface ActivityInput {
  workroomId: string
  /** Who did it; null for the system (deadlines, auto-release...). */
  actorId: string | null
  /** `job.published`, `proposal.submitted`, `contract.accepted`, ... */
  type: string
  /** Entry concerns one freelancer (their proposal, thread, contract): only the client and they see it. */
  scopeFreelancerId?: string | null
  /** What happened, as plain JSON: ids, states and amounts, never message bodies or secrets. */
  data?: Record<string, unknown>
}

/**
 * Appends one entry to the workroom's chain. Call it with the transaction that makes the
 * state change, so the change and its log entry commit together or not at all.
 */
export async function appendActivity(
  tx: Executor,
  deps: { clock: Clock; ids: IdGenerator },
  input: ActivityInput,
): Promise<ActivityRow> {
  const repository = createActivityRepository(tx)
  // Sent together (one round trip on Postgres, which runs them in order): the read of the
  // chain's head starts after the lock is granted, so it sees the last committed entry.
  const [locked, last] = await Promise.all([
    repository.lockWorkroom(input.workroomId),
    repository.last(input.workroomId),
  ])
  if (!locked) throw new Error(`workroom ${input.workroomId} does not exist`)
  const seq = (last?.seq ?? 0) + 1
  const prevHash = last?.hash ?? GENESIS_HASH
  // Milliseconds only: what Postgres stores is what the hash must cover.
  const createdAt = new Date(deps.clock.now().getTime())
  const content = {
    workroomId: input.workroomId,
    seq,
    actorId: input.actorId,
    type: input.type,
    scopeFreelancerId: input.scopeFreelancerId ?? null,
    data: input.data ?? {},
    createdAt,
  }
  return repository.insert({ id: deps.ids.newId(), ...content, prevHash, hash: entryHash(prevHash, content) })
}
