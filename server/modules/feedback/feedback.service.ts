import type { Database, Executor, Transaction } from '../../../db/client.js'
import { pgErrorCode } from '../../../db/transactions.js'
import { DAY, type Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { DeadlineContext, Scheduler } from '../../plugins/scheduler.js'
import { appendActivity } from '../activity/index.js'
import type { ContractRow, ContractStateChange } from '../contracts/index.js'
import type { EventsService } from '../events/index.js'
import type { SettingsReader } from '../settings/index.js'
import { feedbackErrors } from './feedback.errors.js'
import { createFeedbackRepository, type FeedbackRow, type FeedbackWindowRow } from './feedback.repository.js'
import type { LeaveFeedbackInput } from './feedback.schemas.js'
import { clientScore, freelancerScore, type ClientRatings, type FreelancerRatings } from './feedback.scores.js'

/** The durable deadline that closes a contract's feedback window and reveals what was left (subject: the contract id). */
export const FEEDBACK_REVEAL_KIND = 'feedback.reveal'

export type PartyRole = 'client' | 'freelancer'

/** When feedback became (or becomes, at the latest) public. */
export interface Reveal {
  at: Date
  by: 'both' | 'deadline'
}

/** What a reveal hook learns: the contract's feedback just became public. */
export interface FeedbackReveal {
  contract: ContractRow
  reveal: Reveal
  feedback: FeedbackRow[]
  /** Who revealed it by leaving the second feedback; null when the window closed. */
  actorId: string | null
}

/**
 * Runs inside the transaction that reveals (a submission or the closing deadline); use only
 * `tx`. Push events through `afterCommit`.
 */
export type RevealHook = (event: FeedbackReveal, tx: Transaction, context: DeadlineContext) => Promise<void>

/** From the configuration; the feedback window itself is an operator setting (`feedbackWindowDays`). */
export interface FeedbackSettings {
  feedbackReplyDays: number
}

export const roleOf = (
  contract: Pick<ContractRow, 'clientId' | 'freelancerId'>,
  userId: string | null,
): PartyRole | null =>
  userId === null
    ? null
    : contract.clientId === userId
      ? 'client'
      : contract.freelancerId === userId
        ? 'freelancer'
        : null

/**
 * Feedback is public from the reveal: when both parties have left theirs (stored), or once the
 * window has closed, even if the closing deadline has not run yet (then it reveals at
 * `closesAt` exactly, which is also what the deadline stores).
 */
export function effectiveReveal(
  window: Pick<FeedbackWindowRow, 'closesAt' | 'revealedAt' | 'revealedBy'>,
  now: Date,
): Reveal | null {
  if (window.revealedAt) return { at: window.revealedAt, by: (window.revealedBy ?? 'deadline') as Reveal['by'] }
  return now.getTime() >= window.closesAt.getTime() ? { at: window.closesAt, by: 'deadline' } : null
}

/** A contract takes feedback when it ended after the freelancer accepted it. */
const takesFeedback = (contract: ContractRow): contract is ContractRow & { endedAt: Date } =>
  contract.state === 'ended' && contract.acceptedAt !== null && contract.endedAt !== null

/**
 * Double-blind feedback on ended contracts. Each party leaves one (a client rates the
 * freelancer on six weighted criteria, a freelancer the client on three) within the window;
 * it stays visible to its author only until both are in or the window closes. The rated
 * party may reply once within `feedbackReplyDays` of the reveal. Nothing is ever edited.
 */
export function createFeedbackService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  scheduler: Pick<Scheduler, 'schedule'>
  events: Pick<EventsService, 'publish'> | null
  contracts: { get(id: string, executor?: Executor): Promise<ContractRow | null> }
  settings: FeedbackSettings
  operatorSettings: SettingsReader
}) {
  const { db, clock, ids, scheduler, settings } = deps
  const revealHooks: RevealHook[] = []

  /** The window a contract gets when it ends: as long as the operator's setting in force then. */
  const windowOf = async (
    executor: Executor,
    contract: ContractRow & { endedAt: Date },
  ): Promise<FeedbackWindowRow> => ({
    contractId: contract.id,
    openedAt: contract.endedAt,
    closesAt: new Date(
      contract.endedAt.getTime() + (await deps.operatorSettings.getSettings(executor)).feedbackWindowDays * DAY,
    ),
    revealedAt: null,
    revealedBy: null,
  })

  /** Opens the window (idempotent) with its closing deadline, in the caller's transaction. */
  async function openWindow(tx: Executor, contract: ContractRow & { endedAt: Date }): Promise<void> {
    const window = await windowOf(tx, contract)
    // Only a new window schedules: re-scheduling would re-arm a deadline that already ran.
    if (await createFeedbackRepository(tx).ensureWindow(window)) {
      await scheduler.schedule({ kind: FEEDBACK_REVEAL_KIND, subject: contract.id, dueAt: window.closesAt }, tx)
    }
  }

  const log = (
    tx: Executor,
    contract: ContractRow,
    actorId: string | null,
    type: string,
    data: Record<string, unknown>,
  ) =>
    appendActivity(
      tx,
      { clock, ids },
      {
        workroomId: contract.workroomId,
        actorId,
        type,
        scopeFreelancerId: contract.freelancerId,
        data: { contractId: contract.id, ...data },
      },
    )

  const publish = (contract: ContractRow, type: string, data: Record<string, unknown>) =>
    deps.events?.publish([contract.clientId, contract.freelancerId], {
      type,
      workroomId: contract.workroomId,
      data: { contractId: contract.id, ...data },
    })

  /** Marks the window revealed and tells the log, the hooks and (after commit) both parties. */
  async function reveal(
    tx: Transaction,
    contract: ContractRow,
    revealed: Reveal,
    context: DeadlineContext,
    actorId: string | null = null,
  ): Promise<void> {
    const repository = createFeedbackRepository(tx)
    await repository.markRevealed(contract.id, revealed.at, revealed.by)
    const feedback = await repository.ofContract(contract.id)
    if (feedback.length === 0) return
    await log(tx, contract, null, 'feedback.revealed', {
      revealedBy: revealed.by,
      feedback: feedback.map((row) => ({ feedbackId: row.id, subjectRole: row.subjectRole, score: row.score / 100 })),
    })
    for (const hook of revealHooks) await hook({ contract, reveal: revealed, feedback, actorId }, tx, context)
    context.afterCommit(() => publish(contract, 'feedback.revealed', { revealedBy: revealed.by }))
  }

  /** Runs `work` in a transaction, then what it queued for after the commit. */
  async function withAfterCommit<T>(work: (tx: Transaction, context: DeadlineContext) => Promise<T>): Promise<T> {
    const queued: Array<() => unknown> = []
    const result = await db.transaction((tx) => work(tx, { afterCommit: (fn) => void queued.push(fn) }))
    for (const fn of queued) await fn()
    return result
  }

  function scoreFor(subjectRole: PartyRole, ratings: LeaveFeedbackInput['ratings']) {
    if (subjectRole === 'freelancer') {
      if (!('quality' in ratings))
        throw feedbackErrors.wrongRatings(
          'A freelancer is rated on quality, responsiveness, professionalism, expertise, schedule and cost',
        )
      const r = ratings as FreelancerRatings
      return {
        columns: {
          quality: r.quality,
          responsiveness: r.responsiveness,
          professionalism: r.professionalism,
          expertise: r.expertise,
          schedule: r.schedule,
          cost: r.cost,
        },
        score: freelancerScore(r),
      }
    }
    if (!('clarity' in ratings))
      throw feedbackErrors.wrongRatings('A client is rated on clarity, communication and payment promptness')
    const r = ratings as ClientRatings
    return {
      columns: { clarity: r.clarity, communication: r.communication, paymentPromptness: r.paymentPromptness },
      score: clientScore(r),
    }
  }

  return {
    /** Adds a reaction to every reveal (see RevealHook). */
    onRevealed(hook: RevealHook): void {
      revealHooks.push(hook)
    },

    /** The contract-ended hook: opens the window of a contract that really ran. */
    async contractChanged(change: ContractStateChange, tx: Executor): Promise<void> {
      if (change.to === 'ended' && takesFeedback(change.contract)) await openWindow(tx, change.contract)
    },

    /** The closing deadline: reveals whatever was left (at `closesAt`). */
    async closeWindow(contractId: string, tx: Transaction, context: DeadlineContext): Promise<void> {
      const window = await createFeedbackRepository(tx).lockWindow(contractId)
      if (!window || window.revealedAt) return
      const contract = await deps.contracts.get(contractId, tx)
      if (!contract) return
      await reveal(tx, contract, { at: window.closesAt, by: 'deadline' }, context)
    },

    async leave(input: {
      contractId: string
      userId: string
      body: LeaveFeedbackInput
    }): Promise<{ feedback: FeedbackRow; revealed: Reveal | null }> {
      try {
        return await withAfterCommit(async (tx, context) => {
          const contract = await deps.contracts.get(input.contractId, tx)
          const role = contract ? roleOf(contract, input.userId) : null
          if (!contract || !role) throw feedbackErrors.contractNotFound()
          if (contract.state === 'declined' || contract.state === 'expired') throw feedbackErrors.notEligible()
          if (contract.state !== 'ended') throw feedbackErrors.contractNotEnded()
          if (!takesFeedback(contract)) throw feedbackErrors.notEligible()
          const subjectRole: PartyRole = role === 'client' ? 'freelancer' : 'client'
          const { columns, score } = scoreFor(subjectRole, input.body.ratings)

          const repository = createFeedbackRepository(tx)
          // A contract that ended before this module existed gets its window now.
          await openWindow(tx, contract)
          const window = (await repository.lockWindow(contract.id))!
          const now = clock.now()
          if (now.getTime() >= window.closesAt.getTime()) throw feedbackErrors.windowClosed()
          const existing = await repository.ofContract(contract.id)
          if (existing.some((row) => row.authorId === input.userId)) throw feedbackErrors.alreadyLeft()

          const feedback = await repository.insert({
            id: ids.newId(),
            contractId: contract.id,
            workroomId: contract.workroomId,
            authorId: input.userId,
            subjectId: subjectRole === 'freelancer' ? contract.freelancerId : contract.clientId,
            subjectRole,
            ...columns,
            score,
            comment: input.body.comment,
            createdAt: now,
          })
          // The log says that feedback was left, never what it says: the other party reads the log too.
          await log(tx, contract, input.userId, 'feedback.left', { feedbackId: feedback.id, by: role })
          context.afterCommit(() => publish(contract, 'feedback.left', { feedbackId: feedback.id, by: role }))
          let revealed: Reveal | null = null
          if (existing.length > 0 && !window.revealedAt) {
            revealed = { at: now, by: 'both' }
            await reveal(tx, contract, revealed, context, input.userId)
          }
          return { feedback, revealed }
        })
      } catch (err) {
        // The unique key is the last word when two submissions of one party race.
        if (pgErrorCode(err) === '23505') throw feedbackErrors.alreadyLeft()
        throw err
      }
    },

    /** The contract's feedback as `viewerId` (null: anonymous) may see it; 404 when that is nothing. */
    async view(input: { contractId: string; viewerId: string | null }) {
      const contract = await deps.contracts.get(input.contractId)
      if (!contract) throw feedbackErrors.contractNotFound()
      const role = roleOf(contract, input.viewerId)
      const repository = createFeedbackRepository(db)
      const window =
        (await repository.findWindow(contract.id)) ?? (takesFeedback(contract) ? await windowOf(db, contract) : null)
      const rows = window ? await repository.ofContract(contract.id) : []
      const now = clock.now()
      const revealed = window ? effectiveReveal(window, now) : null
      const visible = revealed ? rows : rows.filter((row) => row.authorId === input.viewerId)
      if (!role && visible.length === 0) throw feedbackErrors.contractNotFound()
      return {
        contract,
        window,
        revealed,
        rows: visible,
        submitted: {
          client: rows.some((r) => r.subjectRole === 'freelancer'),
          freelancer: rows.some((r) => r.subjectRole === 'client'),
        },
        now,
      }
    },

    async reply(input: {
      feedbackId: string
      userId: string
      body: string
    }): Promise<{ feedback: FeedbackRow; revealed: Reveal }> {
      return withAfterCommit(async (tx, context) => {
        const repository = createFeedbackRepository(tx)
        const row = await repository.find(input.feedbackId, { lock: true })
        if (!row) throw feedbackErrors.notFound()
        const window = (await repository.findWindow(row.contractId))!
        const now = clock.now()
        const revealed = effectiveReveal(window, now)
        // Unrevealed feedback exists only for its author.
        if (!revealed)
          throw input.userId === row.authorId ? feedbackErrors.replyNotAllowed() : feedbackErrors.notFound()
        if (input.userId !== row.subjectId) throw feedbackErrors.replyNotAllowed()
        if (row.reply !== null) throw feedbackErrors.alreadyReplied()
        if (now.getTime() >= replyUntil(revealed, settings).getTime()) throw feedbackErrors.replyWindowClosed()
        const feedback = await repository.setReply(row.id, input.body, now)
        const contract = (await deps.contracts.get(row.contractId, tx))!
        await log(tx, contract, input.userId, 'feedback.replied', { feedbackId: row.id, by: row.subjectRole })
        context.afterCommit(() => publish(contract, 'feedback.replied', { feedbackId: row.id, by: row.subjectRole }))
        return { feedback, revealed }
      })
    },
  }
}

/** The rated party may reply until this instant (exclusive). */
export const replyUntil = (revealed: Reveal, settings: Pick<FeedbackSettings, 'feedbackReplyDays'>): Date =>
  new Date(revealed.at.getTime() + settings.feedbackReplyDays * DAY)

export type FeedbackService = ReturnType<typeof createFeedbackService>
