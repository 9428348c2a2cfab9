import type { Executor, Transaction } from '../../../db/client.js'
import { DAY } from '../../clock.js'
import type { Deadline, Scheduler } from '../../plugins/scheduler.js'
import { appendActivity } from '../activity/index.js'
import type { ContractsService, OpenHold } from '../contracts/index.js'
import { roleIn, type Actor } from './milestones.access.js'
import { milestoneErrors } from './milestones.errors.js'
import { END_WINDOW_KIND, endIfNoHoldLeft, holdRuleOf, UNSUBMITTED, type HoldView } from './milestones.holds.js'
import { heldOf, refundFromHold, type EscrowDeps } from './milestones.money.js'
import type { MilestoneNotices } from './milestones.notices.js'
import { createMilestonesRepository, type ContractRow, type MilestoneRow } from './milestones.repository.js'
import type { MilestoneOutcome, MilestonesService } from './milestones.service.js'

/**
 * Ending a contract with money in escrow: submitted work keeps its review window and
 * auto-release; funded work not submitted returns to the client's wallet once the
 * operator's end window has passed, unless a dispute was opened before (the dispute
 * decides). The client may release and the freelancer may refund at any time meanwhile.
 */
export function createMilestoneEnding(
  deps: EscrowDeps & {
    scheduler: Pick<Scheduler, 'schedule'>
    contracts: Pick<ContractsService, 'finishEnding'>
    milestones: Pick<MilestonesService, 'lockFor'>
    notices: MilestoneNotices
  },
) {
  const { clock } = deps

  async function viewHolds(executor: Executor, milestones: MilestoneRow[]): Promise<HoldView[]> {
    const held = milestones.filter((m) => heldOf(m) > 0n)
    const disputes = new Map(
      (await createMilestonesRepository(executor).liveDisputesOf(held.map((m) => m.id))).map((d) => [d.milestoneId, d]),
    )
    return held.map((milestone) => {
      const dispute = disputes.get(milestone.id)
      return { milestone, ...holdRuleOf(milestone, dispute), disputeId: dispute?.id ?? null }
    })
  }

  return {
    /** The contract end hook (the contract row is locked): starts the end windows and lists every open hold. */
    async startEndClocks(contract: ContractRow, tx: Executor): Promise<OpenHold[]> {
      const repository = createMilestonesRepository(tx)
      const milestones = await repository.ofContract(contract.id, true)
      if (!milestones.some((m) => heldOf(m) > 0n)) return []
      // The operator's end window in force now; the deadline keeps its date if it changes later.
      const endRefundAt = new Date(clock.now().getTime() + (await deps.settings.getSettings(tx)).endWindowDays * DAY)
      const started: MilestoneRow[] = []
      for (const milestone of milestones) {
        if (heldOf(milestone) === 0n || !UNSUBMITTED.has(milestone.state)) {
          started.push(milestone)
          continue
        }
        started.push(await repository.update(milestone.id, { endRefundAt, updatedAt: clock.now() }))
        await deps.scheduler.schedule(
          { kind: END_WINDOW_KIND, subject: milestone.id, dueAt: endRefundAt, payload: { contractId: contract.id } },
          tx,
        )
      }
      // Every unsubmitted hold has its end window now, so none is left `in_progress`.
      const holds = await viewHolds(tx, started)
      return holds.map((h) => ({
        milestoneId: h.milestone.id,
        rule: h.rule === 'in_progress' ? 'end_window' : h.rule,
        deadline: h.deadline,
      }))
    },

    /**
     * The end-window deadline of one milestone. Runs in the scheduler's claiming transaction;
     * does nothing unless the milestone still holds unsubmitted money of an ending contract
     * and its window has passed (a release, a refund or a dispute before it stops it).
     */
    async endWindowRefund(tx: Transaction, deadline: Deadline): Promise<MilestoneOutcome | null> {
      if (!(await createMilestonesRepository(tx).find(deadline.subject))) return null
      const { repository, contract, milestone } = await deps.milestones.lockFor(tx, deadline.subject, null)
      const now = clock.now()
      const held = heldOf(milestone)
      if (
        contract.state !== 'ending' ||
        !UNSUBMITTED.has(milestone.state) ||
        held === 0n ||
        !milestone.endRefundAt ||
        milestone.endRefundAt > now
      )
        return null
      const refunded = await refundFromHold(tx, deps, { milestone, contract, amount: held, actorId: null })
      const updated = await repository.update(milestone.id, {
        state: 'refunded',
        endRefundAt: null,
        resolvedAt: now,
        updatedAt: now,
      })
      await appendActivity(tx, deps, {
        workroomId: contract.workroomId,
        actorId: null,
        type: 'milestone.refunded',
        scopeFreelancerId: contract.freelancerId,
        data: {
          contractId: contract.id,
          milestoneId: milestone.id,
          by: 'end_window',
          partial: false,
          amount: Number(held),
          held: 0,
          transferId: refunded.transferId,
        },
      })
      await endIfNoHoldLeft(tx, deps.contracts, { contract, actorId: null })
      await deps.notices.refunded(tx, updated, { actorId: null, amount: held })
      return { milestone: updated, contract, staleDeadlines: [] }
    },

    /** The contract's open holds with their rules and deadlines, for its parties or an operator. */
    async holds(
      executor: Executor,
      input: { contractId: string; actor: Actor },
    ): Promise<{ contract: ContractRow; holds: HoldView[] }> {
      const repository = createMilestonesRepository(executor)
      const contract = await repository.contract(input.contractId)
      if (!contract || !roleIn(contract, input.actor)) throw milestoneErrors.contractNotFound()
      return { contract, holds: await viewHolds(executor, await repository.ofContract(contract.id)) }
    },
  }
}

export type MilestoneEnding = ReturnType<typeof createMilestoneEnding>
