import type { Executor } from '../../../db/client.js'
import type { ContractsService, OpenHold } from '../contracts/index.js'
import {
  createMilestonesRepository,
  type ContractRow,
  type LiveDisputeRow,
  type MilestoneRow,
} from './milestones.repository.js'

/** The durable deadline that returns unsubmitted escrow of an ending contract to the client (subject: the milestone id). */
export const END_WINDOW_KIND = 'milestone.end-window-refund'

/** `in_progress`: the contract still runs, so the hold waits for the work. */
export type HoldRule = OpenHold['rule'] | 'in_progress'

export interface HoldView {
  milestone: MilestoneRow
  rule: HoldRule
  /** When the rule moves the money; null when nothing happens by itself. */
  deadline: Date | null
  disputeId: string | null
}

/** Funded work the freelancer has not (or no longer) submitted: on an ending contract its end window runs. */
export const UNSUBMITTED = new Set(['funded', 'changes_requested'])

/** The rule that will move a held milestone's money, and when (see docs/contract-lifecycle.md). */
export function holdRuleOf(
  milestone: MilestoneRow,
  dispute: LiveDisputeRow | undefined,
): Pick<HoldView, 'rule' | 'deadline'> {
  if (milestone.state === 'disputed')
    return { rule: 'dispute', deadline: dispute?.state === 'open' ? dispute.responseDueAt : null }
  if (milestone.state === 'submitted') return { rule: 'review_window', deadline: milestone.autoReleaseAt }
  if (milestone.endRefundAt) return { rule: 'end_window', deadline: milestone.endRefundAt }
  return { rule: 'in_progress', deadline: null }
}

/**
 * Called by every money step that empties a hold, in its transaction: an `ending` contract
 * with no hold left ends right there. The step locked the contract for update (see
 * `lockFor`), so two steps emptying the last two holds cannot both miss it.
 */
export async function endIfNoHoldLeft(
  tx: Executor,
  contracts: Pick<ContractsService, 'finishEnding'>,
  input: { contract: ContractRow; actorId: string | null },
): Promise<void> {
  if (input.contract.state !== 'ending') return
  if ((await createMilestonesRepository(tx).countHolding(input.contract.id)) > 0) return
  await contracts.finishEnding(tx, { contractId: input.contract.id, actorId: input.actorId })
}
