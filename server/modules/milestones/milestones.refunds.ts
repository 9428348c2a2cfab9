import type { Transaction } from '../../../db/client.js'
import type { Actor } from './milestones.access.js'
import { milestoneErrors } from './milestones.errors.js'
import { checkAgainstHold, heldOf, refundFromHold, type EscrowDeps } from './milestones.money.js'
import type { MilestoneNotices } from './milestones.notices.js'
import { HOLDING, type MilestoneOutcome, type MilestonesService } from './milestones.service.js'

/** Refunds of escrow to the client's wallet, partial or whole, with the freelancer's consent or an operator's call. */
export function createMilestoneRefunds(
  deps: EscrowDeps & {
    milestones: Pick<MilestonesService, 'lockFor' | 'holdEmptied' | 'openSubmissionId' | 'log'>
    notices: MilestoneNotices
  },
) {
  const { clock } = deps

  return {
    /**
     * Refund (hold -> client wallet). The freelancer refunds at once (their call is their
     * consent), an operator decides at once; the client's call only asks, and the money
     * moves when the freelancer consents (calls refund; without an amount, the one asked).
     */
    async refund(
      tx: Transaction,
      input: { milestoneId: string; actor: Actor; amount?: bigint },
    ): Promise<MilestoneOutcome & { requested: boolean }> {
      const { repository, contract, milestone, role } = await deps.milestones.lockFor(
        tx,
        input.milestoneId,
        input.actor,
      )
      if (!HOLDING.has(milestone.state))
        throw milestoneErrors.badState(`A ${milestone.state} milestone cannot be refunded`, { state: milestone.state })
      const held = heldOf(milestone)
      const now = clock.now()
      if (role === 'client') {
        const amount = input.amount ?? held
        checkAgainstHold('Refund', milestone, amount)
        const updated = await repository.update(milestone.id, {
          refundRequestedAmount: amount,
          refundRequestedAt: now,
          updatedAt: now,
        })
        await deps.milestones.log(tx, contract, input.actor.id, 'milestone.refund_requested', {
          milestoneId: milestone.id,
          amount: Number(amount),
        })
        await deps.notices.refundRequested(tx, updated, { actorId: input.actor.id, amount })
        return { milestone: updated, contract, staleDeadlines: [], requested: true }
      }
      const amount = input.amount ?? milestone.refundRequestedAmount ?? held
      const refunded = await refundFromHold(tx, deps, { milestone, contract, amount, actorId: input.actor.id })
      let updated = refunded.milestone
      let stale: string[] = []
      const complete = heldOf(updated) === 0n
      if (complete) {
        stale = await deps.milestones.openSubmissionId(milestone.id, tx)
        await repository.reviewOpenSubmission(milestone.id, {
          outcome: 'refunded',
          reviewMessage: null,
          reviewedBy: input.actor.id,
          reviewedAt: now,
        })
        updated = await repository.update(milestone.id, {
          state: 'refunded',
          autoReleaseAt: null,
          endRefundAt: null,
          resolvedAt: now,
          updatedAt: now,
        })
      }
      await deps.milestones.log(tx, contract, input.actor.id, 'milestone.refunded', {
        milestoneId: milestone.id,
        by: role,
        partial: !complete,
        amount: Number(amount),
        held: Number(heldOf(updated)),
      })
      if (complete) await deps.milestones.holdEmptied(tx, { milestone, contract, actorId: input.actor.id })
      await deps.notices.refunded(tx, updated, { actorId: input.actor.id, amount })
      return { milestone: updated, contract, staleDeadlines: stale, requested: false }
    },
  }
}

export type MilestoneRefunds = ReturnType<typeof createMilestoneRefunds>
