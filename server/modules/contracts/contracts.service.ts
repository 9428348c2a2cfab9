import type { EventsService } from '../events/index.js'
import type { Database, Executor } from '../../../db/client.js'
import { pgErrorCode } from '../../../db/transactions.js'
import { DAY, type Clock } from '../../clock.js'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import type { IdGenerator } from '../../ids.js'
import type { Scheduler } from '../../plugins/scheduler.js'
import { appendActivity } from '../activity/index.js'
import { createJobsRepository, jobErrors, type JobRow } from '../jobs/index.js'
import {
  createProposalsRepository,
  EDITABLE_PROPOSAL_STATES,
  loadProposalFor,
  proposalErrors,
  type ProposalRow,
} from '../proposals/index.js'
import type { SettingsReader } from '../settings/index.js'
import { contractErrors } from './contracts.errors.js'
import {
  createContractsRepository,
  type ContractChanges,
  type ContractRow,
  type ContractView,
} from './contracts.repository.js'
import type { InitialTermsDto } from './contracts.schemas.js'

export type ContractState = 'offered' | 'active' | 'paused' | 'ending' | 'ended' | 'declined' | 'expired'
export type InitialTerms = InitialTermsDto

/** The durable deadline that expires an unanswered offer (subject: the contract id). */
export const OFFER_EXPIRY_KIND = 'contract.offer-expiry'

export interface ContractStateChange {
  /** The contract after the change. */
  contract: ContractRow
  /** Null when the contract was just created (the offer). */
  from: ContractState | null
  to: ContractState
  /** Null for the system (offer expiry). */
  actorId: string | null
}
/**
 * Runs inside the transaction of the change, after the contract row and its activity entry
 * are written: throwing rolls the whole change back. Use only `tx` in it (on PGlite, touching
 * `app.db` inside a transaction hangs). Expiry runs it inside the scheduler's transaction.
 * Work that must wait for the commit (pushing to sockets) does not belong here.
 */
export type ContractStateHook = (change: ContractStateChange, tx: Executor) => Promise<void>

export type ContractAction = 'accept' | 'decline' | 'pause' | 'resume' | 'end'

/** Money still in escrow when a contract ends, and the rule that will move it. */
export interface OpenHold {
  milestoneId: string
  /** `review_window`: submitted work auto-releases; `end_window`: unsubmitted work returns to the client; `dispute`: the dispute decides. */
  rule: 'review_window' | 'end_window' | 'dispute'
  /** When the rule moves the money; null while a dispute waits for a decision. */
  deadline: Date | null
}
/**
 * Runs inside the end transaction, the contract row locked: the money modules start the
 * end-of-contract clocks of their holds and say which holds stay open. Any open hold makes
 * the contract `ending` instead of `ended`.
 */
export type ContractEndHook = (contract: ContractRow, tx: Executor) => Promise<OpenHold[]>

/**
 * Who may take each step, and from where. The freelancer answers the offer; the client
 * pauses and resumes; either party ends a running contract, and the client may also end an
 * unanswered offer (withdrawing it). Ending with money in escrow leads to `ending` instead
 * (see ContractEndHook); an ending contract ends by itself when its last hold leaves.
 */
const transitions: Record<
  ContractAction,
  { from: Partial<Record<ContractState, Array<'client' | 'freelancer'>>>; to: ContractState }
> = {
  accept: { from: { offered: ['freelancer'] }, to: 'active' },
  decline: { from: { offered: ['freelancer'] }, to: 'declined' },
  pause: { from: { active: ['client'] }, to: 'paused' },
  resume: { from: { paused: ['client'] }, to: 'active' },
  end: {
    from: { active: ['client', 'freelancer'], paused: ['client', 'freelancer'], offered: ['client'] },
    to: 'ended',
  },
}

/**
 * The offer drafted from the proposal: its price or rate, its milestone plan, the job
 * description as scope; an hourly one gets the operator's default weekly limit.
 */
export function draftInitialTerms(
  job: JobRow,
  proposal: ProposalRow,
  now: Date,
  defaults: { weeklyLimitMinutes: number },
): InitialTerms {
  if (job.arrangement === 'hourly') {
    return {
      arrangement: 'hourly',
      currency: proposal.currency,
      price: null,
      hourlyRate: proposal.hourlyRate,
      weeklyLimitMinutes: defaults.weeklyLimitMinutes,
      manualTimeAllowed: false,
      milestones: [],
      scope: job.description,
    }
  }
  const price = proposal.bidAmount!
  const milestones = proposal.milestones?.length
    ? proposal.milestones.map((m) => ({ title: m.title, amount: m.amount, dueDate: m.dueDate }))
    : [
        {
          title: job.title,
          amount: price,
          dueDate: new Date(now.getTime() + proposal.estimatedDays * DAY).toISOString().slice(0, 10),
        },
      ]
  return {
    arrangement: 'fixed',
    currency: proposal.currency,
    price,
    hourlyRate: null,
    weeklyLimitMinutes: null,
    manualTimeAllowed: false,
    milestones,
    scope: job.description,
  }
}

export function createContractsService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  scheduler: Pick<Scheduler, 'schedule' | 'cancel'>
  /** Offer expiry and the default weekly limit, read when the client hires. */
  settings: SettingsReader
  /** Both parties' event streams hear each state change a party makes, after commit (pages update). */
  live?: Pick<EventsService, 'publish'>
}) {
  const { db, clock, ids, scheduler, settings } = deps
  const hooks: ContractStateHook[] = []
  const endHooks: ContractEndHook[] = []

  async function record(tx: Executor, change: ContractStateChange, extra: Record<string, unknown> = {}): Promise<void> {
    const { contract } = change
    await appendActivity(
      tx,
      { clock, ids },
      {
        workroomId: contract.workroomId,
        actorId: change.actorId,
        type: `contract.${change.to}`,
        scopeFreelancerId: contract.freelancerId,
        data: {
          jobId: contract.jobId,
          contractId: contract.id,
          proposalId: contract.proposalId,
          from: change.from,
          state: change.to,
          ...extra,
        },
      },
    )
    for (const hook of hooks) await hook(change, tx)
  }

  async function loadFor(tx: Executor, input: { contractId: string; userId: string; lock?: boolean }) {
    const repository = createContractsRepository(tx)
    const contract = input.lock ? await repository.lock(input.contractId) : await repository.findById(input.contractId)
    const role =
      contract?.clientId === input.userId ? 'client' : contract?.freelancerId === input.userId ? 'freelancer' : null
    if (!contract || !role) throw contractErrors.notFound()
    return { contract, role } as const
  }

  const service = {
    /** Adds a reaction to every contract state change (see ContractStateHook). */
    onStateChange(hook: ContractStateHook): void {
      hooks.push(hook)
    },

    /** Adds a holder of escrow asked when a contract ends (see ContractEndHook). */
    onEnd(hook: ContractEndHook): void {
      endHooks.push(hook)
    },

    /**
     * The last hold of an ending contract left: it ends. Called inside the money transaction
     * that emptied the hold (null actor: a deadline did); does nothing unless it is `ending`.
     */
    async finishEnding(
      tx: Executor,
      input: { contractId: string; actorId: string | null },
    ): Promise<ContractRow | null> {
      const repository = createContractsRepository(tx)
      const contract = await repository.lock(input.contractId)
      if (contract?.state !== 'ending') return null
      const now = clock.now()
      const updated = await repository.update(contract.id, { state: 'ended', endedAt: now, updatedAt: now })
      await record(
        tx,
        { contract: updated, from: 'ending', to: 'ended', actorId: input.actorId },
        { by: 'holds_settled' },
      )
      return updated
    },

    /** The contract row, for other modules (they check the caller's access themselves). */
    get(id: string, executor: Executor = db): Promise<ContractRow | null> {
      return createContractsRepository(executor).findById(id)
    },

    /** The client hires a proposal: an `offered` contract with terms drafted from it, expiring unless accepted. */
    async hire(input: { clientId: string; proposalId: string }): Promise<ContractView> {
      try {
        return await db.transaction(async (tx) => {
          const { proposal, job, role } = await loadProposalFor(tx, {
            proposalId: input.proposalId,
            userId: input.clientId,
            lock: true,
          })
          if (role !== 'client') throw contractErrors.clientOnly()
          if (proposal.state === 'hired') throw contractErrors.alreadyHired()
          if (!EDITABLE_PROPOSAL_STATES.includes(proposal.state)) {
            throw proposalErrors.invalidTransition(`A ${proposal.state} proposal cannot be hired`, {
              state: proposal.state,
              action: 'hire',
            })
          }
          if (job.state === 'cancelled' || job.state === 'draft')
            throw jobErrors.notOpen(`A ${job.state} job cannot hire`, { state: job.state })
          const now = clock.now()
          const rules = await settings.getSettings(tx)
          const initialTerms = draftInitialTerms(job, proposal, now, {
            weeklyLimitMinutes: rules.defaultWeeklyLimitHours * 60,
          })
          const offerExpiresAt = new Date(now.getTime() + rules.offerExpiryDays * DAY)
          const contract = await createContractsRepository(tx).insert({
            id: ids.newId(),
            jobId: job.id,
            workroomId: job.workroomId,
            proposalId: proposal.id,
            clientId: job.clientId,
            freelancerId: proposal.freelancerId,
            arrangement: job.arrangement,
            currency: proposal.currency,
            state: 'offered',
            initialTerms,
            offeredAt: now,
            offerExpiresAt,
            updatedAt: now,
          })
          await createProposalsRepository(tx).update(proposal.id, { state: 'hired', updatedAt: now })
          // A job closed before this hire now counts as awarded.
          if (job.state === 'closed')
            await createJobsRepository(tx).update(job.id, { state: 'awarded', updatedAt: now })
          await scheduler.schedule({ kind: OFFER_EXPIRY_KIND, subject: contract.id, dueAt: offerExpiresAt }, tx)
          await record(
            tx,
            { contract, from: null, to: 'offered', actorId: input.clientId },
            { offerExpiresAt: offerExpiresAt.toISOString() },
          )
          return (await createContractsRepository(tx).findView(contract.id))!
        })
      } catch (err) {
        // Two hires of one proposal racing: the unique proposal id keeps one contract.
        if (pgErrorCode(err) === '23505') throw contractErrors.alreadyHired()
        throw err
      }
    },

    /** The contract as one of its two parties sees it; anyone else 404. */
    async view(input: { contractId: string; viewerId: string }): Promise<ContractView> {
      await loadFor(db, { contractId: input.contractId, userId: input.viewerId })
      return (await createContractsRepository(db).findView(input.contractId))!
    },

    async act(input: { userId: string; contractId: string; action: ContractAction }): Promise<ContractView> {
      const before = await createContractsRepository(db).findById(input.contractId)
      const view = await service.actInTransaction(input)
      // A contract whose job row is gone (only test fixtures make one) has no view to publish.
      if (deps.live && (view as ContractView | undefined) && before?.state !== view.state)
        await deps.live.publish([view.clientId, view.freelancerId], {
          type: `contract.${view.state}`,
          workroomId: view.workroomId,
          data: { contractId: view.id, from: before?.state ?? null, state: view.state },
        })
      return view
    },

    /** `act` without the event: the state change in its transaction. */
    async actInTransaction(input: {
      userId: string
      contractId: string
      action: ContractAction
    }): Promise<ContractView> {
      const step = transitions[input.action]
      return db.transaction(async (tx) => {
        const { contract, role } = await loadFor(tx, { contractId: input.contractId, userId: input.userId, lock: true })
        const refuse = () => (role === 'client' ? contractErrors.freelancerOnly() : contractErrors.clientOnly())
        // A party who may never take this step learns that first (403), whatever the state.
        if (!Object.values(step.from).some((roles) => roles.includes(role))) throw refuse()
        const from = contract.state as ContractState
        const allowed = step.from[from]
        if (!allowed)
          throw contractErrors.invalidTransition(`A contract in state ${from} cannot be ${step.to}`, {
            state: from,
            action: input.action,
          })
        if (!allowed.includes(role)) throw refuse()
        const now = clock.now()
        // The deadline may not have run yet; an offer past its time is expired all the same.
        if (from === 'offered' && contract.offerExpiresAt.getTime() <= now.getTime())
          throw contractErrors.offerExpired()
        let to = step.to
        let holds: OpenHold[] = []
        if (input.action === 'end') {
          for (const hook of endHooks) holds = holds.concat(await hook(contract, tx))
          if (holds.length) to = 'ending'
        }
        const changes: ContractChanges = { state: to, updatedAt: now }
        if (input.action === 'accept') {
          // The freelancer's acceptance of the offer's terms version 1: the terms module binds
          // it (a state hook, in this transaction) unless both bound a later one while it was open.
          changes.acceptedAt = now
        }
        if (to === 'ended') changes.endedAt = now
        const updated = await createContractsRepository(tx).update(contract.id, changes)
        if (from === 'offered') await scheduler.cancel(OFFER_EXPIRY_KIND, contract.id, tx)
        const held = holds.map((h) => ({
          milestoneId: h.milestoneId,
          rule: h.rule,
          deadline: h.deadline?.toISOString() ?? null,
        }))
        await record(
          tx,
          { contract: updated, from, to, actorId: input.userId },
          { by: role, ...(held.length ? { holds: held } : {}) },
        )
        return (await createContractsRepository(tx).findView(contract.id))!
      })
    },

    /** The offer-expiry deadline: an offer still unanswered at its time expires. */
    async expire(contractId: string, tx: Executor): Promise<void> {
      const contract = await createContractsRepository(tx).lock(contractId)
      if (!contract || contract.state !== 'offered' || contract.offerExpiresAt.getTime() > clock.now().getTime()) return
      const updated = await createContractsRepository(tx).update(contract.id, {
        state: 'expired',
        updatedAt: clock.now(),
      })
      await record(tx, { contract: updated, from: 'offered', to: 'expired', actorId: null })
    },

    /** The caller's contracts (as either party unless `role` says), newest offer first. */
    async listMine(input: {
      userId: string
      role?: 'client' | 'freelancer'
      state?: string
      cursor?: string
      limit?: number
    }) {
      const limit = input.limit ?? 20
      const after = input.cursor ? parseTimeIdCursor(input.cursor) : null
      const rows = await createContractsRepository(db).list({
        partyId: input.userId,
        role: input.role,
        state: input.state,
        after,
        limit: limit + 1,
      })
      const items = rows.slice(0, limit)
      const last = items.at(-1)
      return { items, nextCursor: rows.length > limit && last ? timeIdCursor(last.offeredAt, last.id) : null }
    },
  }
  return service
}

export type ContractsService = ReturnType<typeof createContractsService>
