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
  const { workroomId, ...entry } = input
  const [row] = await appendActivities(tx, deps, workroomId, [entry])
  return row!
}

/**
 * Appends entries to one workroom's chain, in order, under one lock and in one insert: the
 * chain is the same as appending them one by one (each entry's hash covers the one before).
 */
export async function appendActivities(
  tx: Executor,
  deps: { clock: Clock; ids: IdGenerator },
  workroomId: string,
  inputs: ReadonlyArray<Omit<ActivityInput, 'workroomId'>>,
): Promise<ActivityRow[]> {
  const repository = createActivityRepository(tx)
  // Sent together (one round trip on Postgres, which runs them in order): the read of the
  // chain's head starts after the lock is granted, so it sees the last committed entry.
  const [locked, last] = await Promise.all([repository.lockWorkroom(workroomId), repository.last(workroomId)])
  if (!locked) throw new Error(`workroom ${workroomId} does not exist`)
  let seq = last?.seq ?? 0
  let prevHash = last?.hash ?? GENESIS_HASH
  // Milliseconds only: what Postgres stores is what the hash must cover.
  const createdAt = new Date(deps.clock.now().getTime())
  const rows = inputs.map((input) => {
    const content = {
      workroomId,
      seq: ++seq,
      actorId: input.actorId,
      type: input.type,
      scopeFreelancerId: input.scopeFreelancerId ?? null,
      data: input.data ?? {},
      createdAt,
    }
    const hash = entryHash(prevHash, content)
    const row = { id: deps.ids.newId(), ...content, prevHash, hash }
    prevHash = hash
    return row
  })
  return repository.insertMany(rows)
}
