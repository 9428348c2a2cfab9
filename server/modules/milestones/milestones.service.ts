import type { Executor, Transaction } from '../../../db/client.js'
import { DAY } from '../../clock.js'
import type { Deadline, Scheduler } from '../../plugins/scheduler.js'
import { appendActivity } from '../activity/index.js'
import type { ContractsService } from '../contracts/index.js'
import type { InvoiceRow } from '../invoices/index.js'
import { accountKey, accounts } from '../ledger/index.js'
import { lockFor, roleIn, type Actor } from './milestones.access.js'
import { milestoneErrors } from './milestones.errors.js'
import { END_WINDOW_KIND, endIfNoHoldLeft } from './milestones.holds.js'
import { heldOf, releaseFromHold, type EscrowDeps } from './milestones.money.js'
import type { MilestoneNotices } from './milestones.notices.js'
import { createMilestonesRepository, type ContractRow, type MilestoneRow } from './milestones.repository.js'

/** The durable deadline that releases a submission nobody answered (subject: the submission id). */
export const AUTO_RELEASE_KIND = 'milestone.auto-release'

/** What a use case changed: the route answers with it; after the commit, live state and stale deadlines follow. */
export interface MilestoneOutcome {
  milestone: MilestoneRow
  contract: ContractRow
  invoice?: InvoiceRow
  /** Auto-release deadlines (submission ids) that no longer apply: cancelled after the commit. */
  staleDeadlines: string[]
}

/** States with money in escrow that the client and freelancer may still act on. */
export const HOLDING = new Set(['funded', 'submitted', 'changes_requested'])
const OPEN_CONTRACT = new Set(['active', 'paused'])

/**
 * Fixed-price milestones: fund (wallet -> hold), submit, approve and release in full or in
 * part (hold -> earnings + fee), request changes, and auto-release a submission the client
 * left unanswered for the operator's `autoReleaseDays` (read when it is submitted). Refunds
 * are in milestones.refunds.ts.
 *
 * Every use case runs in the caller's transaction and takes its locks in one order:
 * contract (shared) -> milestone -> ledger accounts (id order) -> invoice counter ->
 * workroom (activity). A partial release leaves the state as it was (the rest stays in
 * escrow, and a pending submission keeps its auto-release clock). On an `ending` contract
 * the step that empties the last hold ends the contract (milestones.ending.ts).
 */
export function createMilestonesService(
  deps: EscrowDeps & {
    scheduler: Pick<Scheduler, 'schedule' | 'cancel'>
    contracts: Pick<ContractsService, 'finishEnding'>
    notices: MilestoneNotices
  },
) {
  const { clock } = deps

  const log = (
    tx: Transaction,
    contract: ContractRow,
    actorId: string | null,
    type: string,
    data: Record<string, unknown>,
  ) =>
    appendActivity(tx, deps, {
      workroomId: contract.workroomId,
      actorId,
      type,
      scopeFreelancerId: contract.freelancerId,
      data: { contractId: contract.id, ...data },
    })

  const money = (value: bigint) => Number(value)

  async function openSubmissionId(milestoneId: string, tx: Transaction): Promise<string[]> {
    const latest = await createMilestonesRepository(tx).latestSubmission(milestoneId)
    return latest && latest.outcome === null ? [latest.id] : []
  }

  /** The milestone's hold is empty (`milestone` as it was before): its end window stops; an ending contract may end. */
  async function holdEmptied(
    tx: Transaction,
    input: { milestone: MilestoneRow; contract: ContractRow; actorId: string | null },
  ): Promise<void> {
    if (input.milestone.endRefundAt) await deps.scheduler.cancel(END_WINDOW_KIND, input.milestone.id, tx)
    await endIfNoHoldLeft(tx, deps.contracts, input)
  }

  return {
    lockFor,
    holdEmptied,
    openSubmissionId,
    log,

    /** A dispute froze the milestone before its end window closed: the dispute decides instead. */
    async stopEndWindow(tx: Transaction, milestoneId: string): Promise<void> {
      await deps.scheduler.cancel(END_WINDOW_KIND, milestoneId, tx)
    },

    async fund(tx: Transaction, input: { milestoneId: string; actor: Actor }): Promise<MilestoneOutcome> {
      const { repository, contract, milestone, role } = await lockFor(tx, input.milestoneId, input.actor)
      if (role !== 'client') throw milestoneErrors.forbidden('Only the client funds a milestone')
      if (contract.state !== 'active') throw milestoneErrors.contractNotActive(undefined, { state: contract.state })
      if (milestone.state !== 'pending')
        throw milestoneErrors.badState(`A ${milestone.state} milestone cannot be funded`, { state: milestone.state })
      const transfer = await deps.ledger.transfer(tx, {
        kind: 'fund',
        currency: milestone.currency,
        reference: `milestone:${milestone.id}`,
        actorId: input.actor.id,
        legs: [
          { account: accounts.wallet(contract.clientId, milestone.currency), amount: -milestone.amount },
          { account: accounts.hold(milestone.id, milestone.currency), amount: milestone.amount },
        ],
      })
      const hold = transfer.accounts.get(accountKey(accounts.hold(milestone.id, milestone.currency)))
      const now = clock.now()
      const updated = await repository.update(milestone.id, {
        state: 'funded',
        fundedAmount: milestone.amount,
        holdAccountId: hold?.id ?? null,
        fundedAt: now,
        updatedAt: now,
      })
      await log(tx, contract, input.actor.id, 'milestone.funded', {
        milestoneId: milestone.id,
        amount: money(milestone.amount),
        currency: milestone.currency,
      })
      await deps.notices.funded(tx, updated, input.actor.id)
      return { milestone: updated, contract, staleDeadlines: [] }
    },

    async submit(
      tx: Transaction,
      input: { milestoneId: string; actor: Actor; message: string; fileIds: string[] },
    ): Promise<MilestoneOutcome> {
      const { repository, contract, milestone, role } = await lockFor(tx, input.milestoneId, input.actor)
      if (role !== 'freelancer') throw milestoneErrors.forbidden('Only the freelancer submits work')
      if (!OPEN_CONTRACT.has(contract.state))
        throw milestoneErrors.contractNotActive(undefined, { state: contract.state })
      if (milestone.state !== 'funded' && milestone.state !== 'changes_requested') {
        throw milestoneErrors.badState(`A ${milestone.state} milestone cannot take a submission`, {
          state: milestone.state,
        })
      }
      const fileIds = [...new Set(input.fileIds)]
      if (
        fileIds.length &&
        (await repository.countSharedFiles({
          workroomId: contract.workroomId,
          freelancerId: contract.freelancerId,
          fileIds,
        })) !== fileIds.length
      ) {
        throw milestoneErrors.fileNotFound()
      }
      const now = clock.now()
      const autoReleaseAt = new Date(now.getTime() + (await deps.settings.getSettings(tx)).autoReleaseDays * DAY)
      const submission = await repository.insertSubmission({
        id: deps.ids.newId(),
        milestoneId: milestone.id,
        authorId: input.actor.id,
        message: input.message,
        fileIds,
        createdAt: now,
      })
      const updated = await repository.update(milestone.id, {
        state: 'submitted',
        submittedAt: now,
        autoReleaseAt,
        updatedAt: now,
      })
      // One deadline per submission: a later submission never rewrites a deadline that may be running.
      await deps.scheduler.schedule(
        {
          kind: AUTO_RELEASE_KIND,
          subject: submission.id,
          dueAt: autoReleaseAt,
          payload: { milestoneId: milestone.id },
        },
        tx,
      )
      await log(tx, contract, input.actor.id, 'milestone.submitted', {
        milestoneId: milestone.id,
        submissionId: submission.id,
        files: fileIds.length,
        autoReleaseAt: autoReleaseAt.toISOString(),
      })
      await deps.notices.submitted(tx, updated, input.actor.id)
      return { milestone: updated, contract, staleDeadlines: [] }
    },

    /** Approves and releases `amount` (default: all that is held). Releasing everything ends the milestone. */
    async approve(
      tx: Transaction,
      input: { milestoneId: string; actor: Actor; amount?: bigint },
    ): Promise<MilestoneOutcome> {
      const { repository, contract, milestone, role } = await lockFor(tx, input.milestoneId, input.actor)
      if (role !== 'client') throw milestoneErrors.forbidden('Only the client approves and releases')
      if (!HOLDING.has(milestone.state))
        throw milestoneErrors.badState(`A ${milestone.state} milestone cannot be released`, { state: milestone.state })
      const held = heldOf(milestone)
      const gross = input.amount ?? held
      const released = await releaseFromHold(tx, deps, {
        milestone,
        contract,
        gross,
        actorId: input.actor.id,
        reason: 'approved',
      })
      const complete = gross === held
      const now = clock.now()
      let stale: string[] = []
      let updated = released.milestone
      if (complete) {
        stale = await openSubmissionId(milestone.id, tx)
        await repository.reviewOpenSubmission(milestone.id, {
          outcome: 'approved',
          reviewMessage: null,
          reviewedBy: input.actor.id,
          reviewedAt: now,
        })
        updated = await repository.update(milestone.id, {
          state: 'released',
          autoReleaseAt: null,
          endRefundAt: null,
          refundRequestedAmount: null,
          refundRequestedAt: null,
          resolvedAt: now,
          updatedAt: now,
        })
      }
      await log(tx, contract, input.actor.id, 'milestone.released', {
        milestoneId: milestone.id,
        reason: 'approved',
        partial: !complete,
        amount: money(gross),
        fee: money(released.fee),
        net: money(released.net),
        held: money(heldOf(updated)),
        invoiceId: released.invoice.id,
        invoiceNumber: released.invoice.number,
      })
      if (complete) await holdEmptied(tx, { milestone, contract, actorId: input.actor.id })
      await deps.notices.released(tx, updated, {
        actorId: input.actor.id,
        gross,
        net: released.net,
        complete,
        invoice: released.invoice,
      })
      return { milestone: updated, contract, invoice: released.invoice, staleDeadlines: stale }
    },

    async requestChanges(
      tx: Transaction,
      input: { milestoneId: string; actor: Actor; message: string },
    ): Promise<MilestoneOutcome> {
      const { repository, contract, milestone, role } = await lockFor(tx, input.milestoneId, input.actor)
      if (role !== 'client') throw milestoneErrors.forbidden('Only the client asks for changes')
      if (milestone.state !== 'submitted')
        throw milestoneErrors.badState(`A ${milestone.state} milestone has no submission to answer`, {
          state: milestone.state,
        })
      // No new submission can follow on an ending contract: the client releases or disputes.
      if (contract.state === 'ending')
        throw milestoneErrors.contractNotActive('The contract is ending: release the work or open a dispute', {
          state: contract.state,
        })
      const now = clock.now()
      const stale = await openSubmissionId(milestone.id, tx)
      await repository.reviewOpenSubmission(milestone.id, {
        outcome: 'changes_requested',
        reviewMessage: input.message,
        reviewedBy: input.actor.id,
        reviewedAt: now,
      })
      const updated = await repository.update(milestone.id, {
        state: 'changes_requested',
        autoReleaseAt: null,
        updatedAt: now,
      })
      await log(tx, contract, input.actor.id, 'milestone.changes_requested', {
        milestoneId: milestone.id,
        submissionId: stale[0] ?? null,
      })
      await deps.notices.changesRequested(tx, updated, input.actor.id)
      return { milestone: updated, contract, staleDeadlines: stale }
    },

    /**
     * The auto-release deadline of one submission. Runs in the scheduler's claiming
     * transaction; does nothing unless that submission still waits in a `submitted`
     * milestone whose clock ran out (a decision, a dispute or a newer submission stops it).
     */
    async autoRelease(tx: Transaction, deadline: Deadline): Promise<MilestoneOutcome | null> {
      const repository = createMilestonesRepository(tx)
      const submission = await repository.findSubmission(deadline.subject)
      if (!submission) return null
      const { contract, milestone } = await lockFor(tx, submission.milestoneId, null)
      const latest = await repository.latestSubmission(milestone.id)
      const now = clock.now()
      if (
        milestone.state !== 'submitted' ||
        latest?.id !== submission.id ||
        latest.outcome !== null ||
        !milestone.autoReleaseAt ||
        milestone.autoReleaseAt > now
      )
        return null
      const gross = heldOf(milestone)
      const released = await releaseFromHold(tx, deps, {
        milestone,
        contract,
        gross,
        actorId: null,
        reason: 'auto_released',
      })
      await repository.reviewOpenSubmission(milestone.id, {
        outcome: 'auto_released',
        reviewMessage: null,
        reviewedBy: null,
        reviewedAt: now,
      })
      const updated = await repository.update(milestone.id, {
        state: 'released',
        autoReleaseAt: null,
        resolvedAt: now,
        updatedAt: now,
      })
      await log(tx, contract, null, 'milestone.released', {
        milestoneId: milestone.id,
        reason: 'auto_released',
        partial: false,
        amount: money(gross),
        fee: money(released.fee),
        net: money(released.net),
        held: 0,
        invoiceId: released.invoice.id,
        invoiceNumber: released.invoice.number,
      })
      await holdEmptied(tx, { milestone, contract, actorId: null })
      await deps.notices.released(tx, updated, {
        actorId: null,
        gross,
        net: released.net,
        complete: true,
        invoice: released.invoice,
      })
      await deps.notices.invoiceIssued(tx, updated, released.invoice)
      return { milestone: updated, contract, invoice: released.invoice, staleDeadlines: [] }
    },

    /** The contract's milestones, for its client, its freelancer or an operator. */
    async list(db: Executor, input: { contractId: string; actor: Actor }) {
      const repository = createMilestonesRepository(db)
      const contract = await repository.contract(input.contractId)
      if (!contract || !roleIn(contract, input.actor)) throw milestoneErrors.contractNotFound()
      const milestones = await repository.ofContract(contract.id)
      return { contract, milestones, submissions: await repository.submissionsOf(milestones.map((m) => m.id)) }
    },

    async get(db: Executor, input: { milestoneId: string; actor: Actor }) {
      const repository = createMilestonesRepository(db)
      const milestone = await repository.find(input.milestoneId)
      const contract = milestone && (await repository.contract(milestone.contractId))
      if (!milestone || !contract || !roleIn(contract, input.actor)) throw milestoneErrors.notFound()
      return { contract, milestone, submissions: await repository.submissionsOf([milestone.id]) }
    },
  }
}

export type MilestonesService = ReturnType<typeof createMilestonesService>
