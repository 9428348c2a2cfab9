import type { Executor } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { appendActivity } from '../activity/index.js'
import { createMilestonesRepository } from './milestones.repository.js'

export interface BoundTerms {
  currency: string
  milestones: ReadonlyArray<{ title: string; amount: number; dueDate: string | null }>
}

/**
 * Writes the milestones of a terms version that just bound (called inside the binding
 * transaction, so milestones exist exactly when the terms bind). Positions match the
 * terms' list (0-based). A milestone never funded takes the new title, amount and due
 * date; a funded one keeps its amount (its money is in escrow) and takes the new title and
 * due date only when the amount is unchanged; a never-funded milestone the new version drops
 * is `cancelled`. Returns what changed, also logged as one activity entry.
 */
export async function createMilestonesFromTerms(
  tx: Executor,
  deps: { clock: Clock; ids: IdGenerator },
  input: { contractId: string; version: number; terms: BoundTerms },
): Promise<{ created: number; updated: number; cancelled: number; kept: number }> {
  const repository = createMilestonesRepository(tx)
  const contract = await repository.contract(input.contractId)
  if (!contract || contract.arrangement !== 'fixed') return { created: 0, updated: 0, cancelled: 0, kept: 0 }
  const existing = new Map((await repository.ofContract(contract.id, true)).map((m) => [m.position, m]))
  const now = deps.clock.now()
  const counts = { created: 0, updated: 0, cancelled: 0, kept: 0 }
  const fresh: Array<Parameters<typeof repository.insert>[0][number]> = []

  for (const [position, term] of input.terms.milestones.entries()) {
    const amount = BigInt(term.amount)
    const current = existing.get(position)
    const values = { title: term.title, dueDate: term.dueDate || null, termsVersion: input.version, updatedAt: now }
    if (!current) {
      fresh.push({
        id: deps.ids.newId(),
        contractId: contract.id,
        position,
        currency: input.terms.currency,
        amount,
        state: 'pending',
        createdAt: now,
        ...values,
      })
      counts.created++
    } else if (current.state === 'pending' || current.state === 'cancelled') {
      await repository.update(current.id, { ...values, amount, currency: input.terms.currency, state: 'pending' })
      counts.updated++
    } else if (current.amount === amount) {
      await repository.update(current.id, values)
      counts.updated++
    } else {
      counts.kept++
    }
  }
  for (const [position, current] of existing) {
    if (position >= input.terms.milestones.length && current.state === 'pending') {
      await repository.update(current.id, { state: 'cancelled', updatedAt: now })
      counts.cancelled++
    }
  }
  await repository.insert(fresh)
  await appendActivity(tx, deps, {
    workroomId: contract.workroomId,
    actorId: null,
    type: 'milestones.updated',
    scopeFreelancerId: contract.freelancerId,
    data: { contractId: contract.id, version: input.version, ...counts },
  })
  return counts
}
