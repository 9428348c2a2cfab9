import type { Transaction } from '../../../db/client.js'
import { milestoneErrors } from './milestones.errors.js'
import { createMilestonesRepository, type ContractRow } from './milestones.repository.js'

export type PartyRole = 'client' | 'freelancer' | 'operator'
export interface Actor {
  id: string
  /** The account's role: operators may look at every contract and decide refunds. */
  role: string
}

export function roleIn(contract: ContractRow, actor: Actor): PartyRole | null {
  if (contract.clientId === actor.id) return 'client'
  if (contract.freelancerId === actor.id) return 'freelancer'
  return actor.role === 'operator' ? 'operator' : null
}

/**
 * Locks a milestone for a money step, in the one order every step keeps: contract, then
 * milestone. Answers 404 to anyone who is neither a party nor an operator; a null actor
 * is the system (a deadline).
 */
export async function lockFor(tx: Transaction, milestoneId: string, actor: Actor | null) {
  const repository = createMilestonesRepository(tx)
  // The milestone's contract and its state in one read, so as to take the right lock on it.
  const peek = await repository.peek(milestoneId)
  if (!peek) throw milestoneErrors.notFound()
  // An ending contract is locked for update (its last hold ends it); a running one is
  // shared, and stays running while shared (ending it needs the update lock).
  let contract =
    peek.contractState === 'ending'
      ? await repository.lockContract(peek.contractId)
      : await repository.shareContract(peek.contractId)
  if (contract?.state === 'ending' && peek.contractState !== 'ending')
    contract = await repository.lockContract(contract.id)
  const milestone = await repository.lock(milestoneId)
  if (!contract || !milestone) throw milestoneErrors.notFound()
  const role = actor ? roleIn(contract, actor) : 'operator'
  if (!role) throw milestoneErrors.notFound()
  return { repository, contract, milestone, role }
}
