import type { Executor, Transaction } from '../../../db/client.js'
import { DAY } from '../../clock.js'
import type { Deadline, Scheduler } from '../../plugins/scheduler.js'
import {
  createMilestonesRepository,
  heldOf,
  milestoneErrors,
  roleIn,
  type Actor,
  type ContractRow,
  type EscrowDeps,
  type MilestonesService,
} from '../milestones/index.js'
import { disputeErrors } from './disputes.errors.js'
import { createDisputesRepository } from './disputes.repository.js'
import { checkSplit, createDisputeResolution, type Resolved } from './disputes.resolution.js'

/** The durable deadline by which the other side must answer (subject: the dispute id). */
export const DISPUTE_DEADLINE_KIND = 'dispute.response-deadline'

export interface DisputeOutcome extends Resolved {
  contract: ContractRow
  /** Auto-release deadlines (submission ids) that no longer apply. */
  staleAutoRelease: string[]
  /** Response deadlines (dispute ids) that no longer apply. */
  staleResponse: string[]
}

const DISPUTABLE = new Set(['funded', 'submitted', 'changes_requested'])
const LIVE = new Set(['open', 'answered', 'escalated'])

/**
 * Disputes on a milestone with money in escrow. Opening one freezes the milestone (no
 * release, refund or auto-release); the other side answers within the operator's
 * `disputeResponseDays`, or the dispute resolves for the party who opened it (all of the hold to them). Each side
 * accepts a split (the gross amount for the freelancer; the rest returns to the client);
 * equal accepted splits settle it. Either side may escalate; an operator's decision moves
 * the money. Every resolution empties the hold in one transaction: hold -> earnings (less
 * the fee, with an invoice) and hold -> client wallet. On an ending contract a dispute opened
 * before the end window closed stops the window's refund, and the resolution that empties
 * the last hold ends the contract. The resolutions are in disputes.resolution.ts.
 */
export function createDisputesService(
  deps: EscrowDeps & {
    milestones: Pick<MilestonesService, 'lockFor' | 'holdEmptied' | 'stopEndWindow' | 'log'>
    scheduler: Pick<Scheduler, 'schedule'>
  },
) {
  const { clock, ids } = deps

  const { log } = deps.milestones

  const { resolve, accept } = createDisputeResolution(deps)

  /** Locks in the one order: contract (shared) -> milestone -> dispute. */
  async function lockDispute(tx: Transaction, disputeId: string, actor: Actor | null) {
    const peek = await createDisputesRepository(tx).find(disputeId)
    if (!peek) throw disputeErrors.notFound()
    let locked
    try {
      locked = await deps.milestones.lockFor(tx, peek.milestoneId, actor)
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === milestoneErrors.notFound().code)
        throw disputeErrors.notFound()
      throw err
    }
    const dispute = (await createDisputesRepository(tx).lock(disputeId))!
    return { ...locked, dispute }
  }

  const sideOf = (role: string) => {
    if (role !== 'client' && role !== 'freelancer')
      throw disputeErrors.forbidden('Only the two parties take part in a dispute')
    return role
  }

  return {
    async open(
      tx: Transaction,
      input: { milestoneId: string; actor: Actor; reason: string; freelancerAmount?: bigint },
    ): Promise<DisputeOutcome> {
      const { repository, contract, milestone, role } = await deps.milestones.lockFor(
        tx,
        input.milestoneId,
        input.actor,
      )
      const side = sideOf(role)
      if (!DISPUTABLE.has(milestone.state))
        throw disputeErrors.milestoneNotDisputable(undefined, { state: milestone.state })
      const held = heldOf(milestone)
      const proposal = input.freelancerAmount ?? (side === 'client' ? 0n : held)
      checkSplit(proposal, milestone)
      const now = clock.now()
      if (milestone.endRefundAt && milestone.endRefundAt <= now) {
        throw disputeErrors.milestoneNotDisputable('The end window closed: this escrow returns to the client', {
          state: milestone.state,
          endRefundAt: milestone.endRefundAt.toISOString(),
        })
      }
      if (milestone.endRefundAt) await deps.milestones.stopEndWindow(tx, milestone.id)
      const responseDueAt = new Date(now.getTime() + (await deps.settings.getSettings(tx)).disputeResponseDays * DAY)
      const latest = await repository.latestSubmission(milestone.id)
      const staleAutoRelease = latest && latest.outcome === null && milestone.state === 'submitted' ? [latest.id] : []
      if (staleAutoRelease.length)
        await repository.reviewOpenSubmission(milestone.id, {
          outcome: 'disputed',
          reviewMessage: null,
          reviewedBy: input.actor.id,
          reviewedAt: now,
        })
      const updated = await repository.update(milestone.id, {
        state: 'disputed',
        stateBeforeDispute: milestone.state,
        autoReleaseAt: null,
        endRefundAt: null,
        updatedAt: now,
      })
      const disputes = createDisputesRepository(tx)
      const dispute = await disputes.insert({
        id: ids.newId(),
        milestoneId: milestone.id,
        contractId: contract.id,
        openedBy: input.actor.id,
        openerRole: side,
        reason: input.reason,
        state: 'open',
        heldAmount: held,
        clientAccepts: side === 'client' ? proposal : null,
        freelancerAccepts: side === 'freelancer' ? proposal : null,
        responseDueAt,
        createdAt: now,
      })
      await disputes.addMessage({
        id: ids.newId(),
        disputeId: dispute.id,
        authorId: input.actor.id,
        kind: 'opened',
        message: input.reason,
        freelancerAmount: proposal,
        createdAt: now,
      })
      await deps.scheduler.schedule(
        {
          kind: DISPUTE_DEADLINE_KIND,
          subject: dispute.id,
          dueAt: responseDueAt,
          payload: { milestoneId: milestone.id },
        },
        tx,
      )
      await log(tx, contract, input.actor.id, 'dispute.opened', {
        disputeId: dispute.id,
        milestoneId: milestone.id,
        by: side,
        held: Number(held),
        freelancerAmount: Number(proposal),
        responseDueAt: responseDueAt.toISOString(),
      })
      return { dispute, milestone: updated, contract, staleAutoRelease, staleResponse: [] }
    },

    /** The other side answers (with its own split, optionally); equal splits settle at once. */
    async respond(
      tx: Transaction,
      input: { disputeId: string; actor: Actor; message: string; freelancerAmount?: bigint },
    ): Promise<DisputeOutcome> {
      const locked = await lockDispute(tx, input.disputeId, input.actor)
      const side = sideOf(locked.role)
      const { dispute, contract } = locked
      if (side === dispute.openerRole) throw disputeErrors.forbidden('The other side answers a dispute')
      if (!LIVE.has(dispute.state)) throw disputeErrors.badState(undefined, { state: dispute.state })
      const now = clock.now()
      const firstAnswer = dispute.respondedAt === null
      const repository = createDisputesRepository(tx)
      const current = await repository.update(dispute.id, {
        respondedAt: dispute.respondedAt ?? now,
        state: dispute.state === 'open' ? 'answered' : dispute.state,
      })
      await repository.addMessage({
        id: ids.newId(),
        disputeId: dispute.id,
        authorId: input.actor.id,
        kind: 'response',
        message: input.message,
        freelancerAmount: input.freelancerAmount ?? null,
        createdAt: now,
      })
      await log(tx, contract, input.actor.id, 'dispute.answered', {
        disputeId: dispute.id,
        by: side,
        freelancerAmount: input.freelancerAmount === undefined ? null : Number(input.freelancerAmount),
      })
      let outcome: Resolved = {
        dispute: current,
        milestone: locked.milestone,
      }
      if (input.freelancerAmount !== undefined) {
        checkSplit(input.freelancerAmount, locked.milestone)
        outcome = await accept(tx, { ...locked, dispute: current }, side, input.freelancerAmount, input.actor.id)
      }
      return { ...outcome, contract, staleAutoRelease: [], staleResponse: firstAnswer ? [dispute.id] : [] }
    },

    /** A party accepts a split; when both accepted the same split, the money moves. */
    async settle(
      tx: Transaction,
      input: { disputeId: string; actor: Actor; freelancerAmount: bigint },
    ): Promise<DisputeOutcome> {
      const locked = await lockDispute(tx, input.disputeId, input.actor)
      const side = sideOf(locked.role)
      const { dispute, contract } = locked
      if (!LIVE.has(dispute.state)) throw disputeErrors.badState(undefined, { state: dispute.state })
      checkSplit(input.freelancerAmount, locked.milestone)
      const now = clock.now()
      const repository = createDisputesRepository(tx)
      // The other side proposing a split is an answer too.
      const answers = side !== dispute.openerRole && dispute.respondedAt === null
      const current = answers
        ? await repository.update(dispute.id, {
            respondedAt: now,
            state: dispute.state === 'open' ? 'answered' : dispute.state,
          })
        : dispute
      await repository.addMessage({
        id: ids.newId(),
        disputeId: dispute.id,
        authorId: input.actor.id,
        kind: 'settle',
        message: null,
        freelancerAmount: input.freelancerAmount,
        createdAt: now,
      })
      await log(tx, contract, input.actor.id, 'dispute.split_accepted', {
        disputeId: dispute.id,
        by: side,
        freelancerAmount: Number(input.freelancerAmount),
      })
      const outcome = await accept(tx, { ...locked, dispute: current }, side, input.freelancerAmount, input.actor.id)
      return { ...outcome, contract, staleAutoRelease: [], staleResponse: answers ? [dispute.id] : [] }
    },

    async escalate(
      tx: Transaction,
      input: { disputeId: string; actor: Actor; message?: string },
    ): Promise<DisputeOutcome> {
      const locked = await lockDispute(tx, input.disputeId, input.actor)
      const side = sideOf(locked.role)
      const { dispute, contract, milestone } = locked
      if (dispute.state !== 'open' && dispute.state !== 'answered')
        throw disputeErrors.badState(undefined, { state: dispute.state })
      const now = clock.now()
      const repository = createDisputesRepository(tx)
      const updated = await repository.update(dispute.id, {
        state: 'escalated',
        escalatedAt: now,
        respondedAt: dispute.respondedAt ?? (side !== dispute.openerRole ? now : null),
      })
      await repository.addMessage({
        id: ids.newId(),
        disputeId: dispute.id,
        authorId: input.actor.id,
        kind: 'escalated',
        message: input.message ?? null,
        freelancerAmount: null,
        createdAt: now,
      })
      await log(tx, contract, input.actor.id, 'dispute.escalated', { disputeId: dispute.id, by: side })
      return {
        dispute: updated,
        milestone,
        contract,
        staleAutoRelease: [],
        staleResponse: dispute.state === 'open' ? [dispute.id] : [],
      }
    },

    /** An operator's decision: the split is final and the money moves. */
    async decide(
      tx: Transaction,
      input: { disputeId: string; actor: Actor; freelancerAmount: bigint; note: string },
    ): Promise<DisputeOutcome> {
      if (input.actor.role !== 'operator') throw disputeErrors.forbidden('Operators decide disputes')
      const locked = await lockDispute(tx, input.disputeId, input.actor)
      if (!LIVE.has(locked.dispute.state)) throw disputeErrors.badState(undefined, { state: locked.dispute.state })
      const outcome = await resolve(tx, {
        ...locked,
        freelancerAmount: input.freelancerAmount,
        resolution: 'decided',
        actorId: input.actor.id,
        note: input.note,
      })
      return {
        ...outcome,
        contract: locked.contract,
        staleAutoRelease: [],
        staleResponse: locked.dispute.state === 'open' ? [locked.dispute.id] : [],
      }
    },

    /** No answer in time: the dispute resolves for the party who opened it. Runs in the scheduler's transaction. */
    async lapse(tx: Transaction, deadline: Deadline): Promise<DisputeOutcome | null> {
      const peek = await createDisputesRepository(tx).find(deadline.subject)
      if (!peek || peek.state !== 'open') return null
      const locked = await lockDispute(tx, peek.id, null)
      const { dispute, milestone, contract } = locked
      if (dispute.state !== 'open' || dispute.respondedAt !== null || dispute.responseDueAt > clock.now()) return null
      const freelancerAmount = dispute.openerRole === 'freelancer' ? heldOf(milestone) : 0n
      const outcome = await resolve(tx, {
        dispute,
        milestone,
        contract,
        freelancerAmount,
        resolution: 'lapsed',
        actorId: null,
        note: 'No answer in time: resolved for the party who opened the dispute',
      })
      return { ...outcome, contract, staleAutoRelease: [], staleResponse: [] }
    },

    async get(db: Executor, input: { disputeId: string; actor: Actor }) {
      const repository = createDisputesRepository(db)
      const dispute = await repository.find(input.disputeId)
      const contract = dispute && (await createMilestonesRepository(db).contract(dispute.contractId))
      if (!dispute || !contract || !roleIn(contract, input.actor)) throw disputeErrors.notFound()
      return { dispute: { ...dispute, currency: contract.currency }, messages: await repository.messages(dispute.id) }
    },

    async ofMilestone(db: Executor, input: { milestoneId: string; actor: Actor }) {
      const milestones = createMilestonesRepository(db)
      const milestone = await milestones.find(input.milestoneId)
      const contract = milestone && (await milestones.contract(milestone.contractId))
      if (!milestone || !contract || !roleIn(contract, input.actor)) throw milestoneErrors.notFound()
      const disputes = await createDisputesRepository(db).ofMilestone(milestone.id)
      return disputes.map((dispute) => ({ ...dispute, currency: milestone.currency }))
    },
  }
}

export type DisputesService = ReturnType<typeof createDisputesService>
