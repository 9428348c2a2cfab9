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
  const [rows] = await appendActivitiesAcross(tx, deps, [{ workroomId, inputs }])
  return rows!
}

/**
 * Appends entries to several workrooms' chains at once (a batch of messages to many
 * workrooms): the workrooms locked in id order and their heads read in two statements, every
 * entry inserted in one. Each group's entries extend its workroom's chain in order; a
 * workroom named by two groups gets the first group's entries, then the second's. Answers
 * each group's rows, in chain order.
 */
export async function appendActivitiesAcross(
  tx: Executor,
  deps: { clock: Clock; ids: IdGenerator },
  groups: ReadonlyArray<{ workroomId: string; inputs: ReadonlyArray<Omit<ActivityInput, 'workroomId'>> }>,
): Promise<ActivityRow[][]> {
  const repository = createActivityRepository(tx)
  // As Postgres prints a UUID (a route may have been given one in capitals): the hash covers
  // the id as it is stored.
  groups = groups.map((group) => ({ ...group, workroomId: group.workroomId.toLowerCase() }))
  const workroomIds = [...new Set(groups.map((group) => group.workroomId))].sort()
  // Sent together (one round trip on Postgres, which runs them in order): the heads are read
  // after the locks are granted, so they are the last committed entries.
  const [locked, heads] = await Promise.all([repository.lockWorkrooms(workroomIds), repository.heads(workroomIds)])
  for (const workroomId of workroomIds)
    if (!locked.has(workroomId)) throw new Error(`workroom ${workroomId} does not exist`)
  const chains = new Map(
    workroomIds.map((workroomId) => {
      const head = heads.get(workroomId)
      return [workroomId, { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH }]
    }),
  )
  // Milliseconds only: what Postgres stores is what the hash must cover.
  const createdAt = new Date(deps.clock.now().getTime())
  const planned = groups.map(({ workroomId, inputs }) => {
    const chain = chains.get(workroomId)!
    return inputs.map((input) => {
      const content = {
        workroomId,
        seq: ++chain.seq,
        actorId: input.actorId,
        type: input.type,
        scopeFreelancerId: input.scopeFreelancerId ?? null,
        data: input.data ?? {},
        createdAt,
      }
      const hash = entryHash(chain.hash, content)
      const row = { id: deps.ids.newId(), ...content, prevHash: chain.hash, hash }
      chain.hash = hash
      return row
    })
  })
  if (planned.every((rows) => rows.length === 0)) return planned.map(() => [])
  const inserted = new Map((await repository.insertMany(planned.flat())).map((row) => [row.id, row]))
  return planned.map((rows) => rows.map((row) => inserted.get(row.id)!))
}
