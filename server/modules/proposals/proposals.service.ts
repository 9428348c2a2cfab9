import type { Database, Executor } from '../../../db/client.js'
import { pgErrorCode } from '../../../db/transactions.js'
import { checkMilestonePlan } from '../../../common/milestone-plan.js'
import type { PlannedMilestone } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import type { IdGenerator } from '../../ids.js'
import { aboutField } from '../../http/validation-errors.js'
import { appendActivity } from '../activity/index.js'
import { createJobsRepository, jobErrors, loadVisibleJob, type JobRow } from '../jobs/index.js'
import type { NotificationsService } from '../notifications/index.js'
import { admitFreelancer, getMembership } from '../workrooms/index.js'
import { proposalErrors } from './proposals.errors.js'
import { noticeProposalDecision } from './proposals.notices.js'
import { createProposalsRepository, type ProposalRow, type ProposalView } from './proposals.repository.js'

export interface ProposalInput {
  coverLetter: string
  bidAmount?: number
  hourlyRate?: number
  estimatedDays: number
  milestones?: Array<{ title: string; amount: number; dueDate?: string | null }>
  attachmentFileIds?: string[]
}
export type ProposalPatch = Partial<Omit<ProposalInput, 'milestones'>> & {
  milestones?: ProposalInput['milestones'] | null
}

export type ProposalAction = 'shortlist' | 'decline' | 'withdraw'

/** The state machine: who may take each step, and from where. (Hire lives in contracts.) */
const transitions: Record<ProposalAction, { by: 'client' | 'freelancer'; from: readonly string[]; to: string }> = {
  shortlist: { by: 'client', from: ['submitted'], to: 'shortlisted' },
  decline: { by: 'client', from: ['submitted', 'shortlisted'], to: 'declined' },
  withdraw: { by: 'freelancer', from: ['submitted', 'shortlisted'], to: 'withdrawn' },
}

export const EDITABLE_PROPOSAL_STATES = ['submitted', 'shortlisted']

/** The proposal as seen by `userId`: its freelancer and the job's client; anyone else 404. */
export async function loadProposalFor(
  tx: Executor,
  input: { proposalId: string; userId: string; lock?: boolean },
): Promise<{ proposal: ProposalRow; job: JobRow; role: 'client' | 'freelancer' }> {
  const proposals = createProposalsRepository(tx)
  const proposal = input.lock ? await proposals.lock(input.proposalId) : await proposals.findView(input.proposalId)
  if (!proposal) throw proposalErrors.notFound()
  const job = input.lock
    ? await createJobsRepository(tx).lock(proposal.jobId)
    : await createJobsRepository(tx).findById(proposal.jobId)
  if (!job) throw proposalErrors.notFound()
  if (proposal.freelancerId === input.userId) return { proposal, job, role: 'freelancer' }
  if (job.clientId === input.userId) return { proposal, job, role: 'client' }
  throw proposalErrors.notFound()
}

/** Bid fields fit the job's arrangement; a milestone plan (fixed only) adds up to the bid. */
function checkBid(
  job: JobRow,
  bid: { bidAmount: number | null; hourlyRate: number | null; milestones: PlannedMilestone[] | null },
): void {
  if (
    job.arrangement === 'fixed'
      ? bid.bidAmount === null || bid.hourlyRate !== null
      : bid.hourlyRate === null || bid.bidAmount !== null
  ) {
    throw proposalErrors.bidMismatch(undefined, { field: job.arrangement === 'fixed' ? 'bidAmount' : 'hourlyRate' })
  }
  if (bid.milestones) {
    if (job.arrangement !== 'fixed') throw proposalErrors.milestonesNotFixed(undefined, { field: 'milestones' })
    const { issue } = checkMilestonePlan(bid.milestones, {
      amount: bid.bidAmount,
      label: 'bid',
      currency: job.currency,
    })
    if (issue) {
      const error = issue.rule === 'total' ? proposalErrors.milestonesTotal : proposalErrors.invalidPlan
      throw error(...aboutField(issue.field, issue.message))
    }
  }
}

function plan(milestones: ProposalInput['milestones'] | null | undefined): PlannedMilestone[] | null {
  return milestones
    ? milestones.map((m) => ({ title: m.title.trim(), amount: m.amount, dueDate: m.dueDate ?? null }))
    : null
}

export function createProposalsService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  notifications: Pick<NotificationsService, 'notify'>
}) {
  const { db, clock, ids } = deps
  const log = (
    tx: Executor,
    proposal: ProposalRow,
    actorId: string,
    type: string,
    data: Record<string, unknown> = {},
  ) =>
    appendActivity(
      tx,
      { clock, ids },
      {
        workroomId: proposal.workroomId,
        actorId,
        type,
        scopeFreelancerId: proposal.freelancerId,
        data: { jobId: proposal.jobId, proposalId: proposal.id, ...data },
      },
    )

  /** The job still takes proposals (and edits to them). */
  function checkOpen(job: JobRow): void {
    if (job.state !== 'open') throw jobErrors.notOpen(undefined, { state: job.state })
    if (job.proposalDeadline && job.proposalDeadline.getTime() <= clock.now().getTime())
      throw proposalErrors.deadlinePassed()
  }

  async function checkAttachments(
    tx: Executor,
    job: JobRow,
    freelancerId: string,
    fileIds: string[],
  ): Promise<string[]> {
    const unique = [...new Set(fileIds.map((id) => id.toLowerCase()))]
    const found = await createProposalsRepository(tx).countAttachable({
      fileIds: unique,
      workroomId: job.workroomId,
      freelancerId,
    })
    if (found !== unique.length) throw proposalErrors.unknownAttachment()
    return unique
  }

  async function view(tx: Executor, id: string): Promise<ProposalView> {
    return (await createProposalsRepository(tx).findView(id))!
  }

  return {
    async submit(input: { freelancerId: string; jobId: string; proposal: ProposalInput }): Promise<ProposalView> {
      const { proposal } = input
      try {
        return await db.transaction(async (tx) => {
          const { job, membership } = await loadVisibleJob(tx, createJobsRepository(tx), {
            jobId: input.jobId,
            viewerId: input.freelancerId,
            lock: true,
          })
          if (membership?.role === 'client') throw proposalErrors.ownJob()
          checkOpen(job)
          if (
            job.visibility === 'invite-only' &&
            !(await createJobsRepository(tx).findInvite(job.id, input.freelancerId))
          ) {
            throw proposalErrors.inviteRequired()
          }
          const bid = {
            bidAmount: proposal.bidAmount ?? null,
            hourlyRate: proposal.hourlyRate ?? null,
            milestones: plan(proposal.milestones),
          }
          checkBid(job, bid)
          const proposals = createProposalsRepository(tx)
          if (await proposals.findLive(job.id, input.freelancerId)) throw proposalErrors.alreadyProposed()
          const attachmentFileIds = proposal.attachmentFileIds?.length
            ? await checkAttachments(tx, job, input.freelancerId, proposal.attachmentFileIds)
            : []
          const { threadId } = await admitFreelancer(
            tx,
            { clock, ids },
            { workroomId: job.workroomId, freelancerId: input.freelancerId, via: 'proposal' },
          )
          const now = clock.now()
          const created = await proposals.insert({
            id: ids.newId(),
            jobId: job.id,
            workroomId: job.workroomId,
            freelancerId: input.freelancerId,
            threadId,
            state: 'submitted',
            coverLetter: proposal.coverLetter,
            ...bid,
            currency: job.currency,
            estimatedDays: proposal.estimatedDays,
            attachmentFileIds,
            createdAt: now,
            updatedAt: now,
          })
          await log(tx, created, input.freelancerId, 'proposal.submitted', { state: 'submitted' })
          return view(tx, created.id)
        })
      } catch (err) {
        // Two submissions racing past the check: the partial unique index keeps one.
        if (pgErrorCode(err) === '23505') throw proposalErrors.alreadyProposed()
        throw err
      }
    },

    async get(input: { proposalId: string; viewerId: string }): Promise<ProposalView> {
      await loadProposalFor(db, { proposalId: input.proposalId, userId: input.viewerId })
      return view(db, input.proposalId)
    },

    /** The freelancer edits a live proposal while the job still takes proposals. */
    async update(input: { freelancerId: string; proposalId: string; patch: ProposalPatch }): Promise<ProposalView> {
      const { patch } = input
      return db.transaction(async (tx) => {
        const { proposal, job, role } = await loadProposalFor(tx, {
          proposalId: input.proposalId,
          userId: input.freelancerId,
          lock: true,
        })
        if (role !== 'freelancer') throw proposalErrors.freelancerOnly()
        if (!EDITABLE_PROPOSAL_STATES.includes(proposal.state))
          throw proposalErrors.notEditable(undefined, { state: proposal.state })
        checkOpen(job)
        const bid = {
          bidAmount: patch.bidAmount ?? proposal.bidAmount,
          hourlyRate: patch.hourlyRate ?? proposal.hourlyRate,
          milestones: patch.milestones !== undefined ? plan(patch.milestones) : proposal.milestones,
        }
        checkBid(job, bid)
        const attachmentFileIds =
          patch.attachmentFileIds !== undefined
            ? await checkAttachments(tx, job, input.freelancerId, patch.attachmentFileIds)
            : undefined
        await createProposalsRepository(tx).update(proposal.id, {
          ...bid,
          ...(patch.coverLetter !== undefined ? { coverLetter: patch.coverLetter } : {}),
          ...(patch.estimatedDays !== undefined ? { estimatedDays: patch.estimatedDays } : {}),
          ...(attachmentFileIds ? { attachmentFileIds } : {}),
          updatedAt: clock.now(),
        })
        await log(tx, proposal, input.freelancerId, 'proposal.edited', { fields: Object.keys(patch).sort() })
        return view(tx, proposal.id)
      })
    },

    async act(input: { userId: string; proposalId: string; action: ProposalAction }): Promise<ProposalView> {
      const step = transitions[input.action]
      return db.transaction(async (tx) => {
        const { proposal, job, role } = await loadProposalFor(tx, {
          proposalId: input.proposalId,
          userId: input.userId,
          lock: true,
        })
        if (role !== step.by) throw step.by === 'client' ? proposalErrors.clientOnly() : proposalErrors.freelancerOnly()
        if (!step.from.includes(proposal.state)) {
          throw proposalErrors.invalidTransition(`A ${proposal.state} proposal cannot be ${step.to}`, {
            state: proposal.state,
            action: input.action,
          })
        }
        await createProposalsRepository(tx).update(proposal.id, { state: step.to, updatedAt: clock.now() })
        await log(tx, proposal, input.userId, `proposal.${step.to}`, { state: step.to })
        if (step.to === 'shortlisted' || step.to === 'declined')
          await noticeProposalDecision(deps.notifications, tx, {
            proposal,
            job,
            clientId: input.userId,
            state: step.to,
          })
        return view(tx, proposal.id)
      })
    },

    /** The client sees every proposal on the job; a freelancer member only their own; anyone else 404. */
    async listForJob(input: { viewerId: string; jobId: string; state?: string; cursor?: string; limit?: number }) {
      const job = await createJobsRepository(db).findById(input.jobId)
      const membership = job ? await getMembership(db, job.workroomId, input.viewerId) : null
      if (!job || !membership) throw jobErrors.notFound()
      return page(db, {
        jobId: job.id,
        freelancerId: membership.role === 'client' ? undefined : membership.freelancerId,
        state: input.state,
        cursor: input.cursor,
        limit: input.limit,
      })
    },

    /** The caller's own proposals on every job, newest first. */
    listMine(input: { freelancerId: string; state?: string; cursor?: string; limit?: number }) {
      return page(db, input)
    },
  }
}

async function page(
  db: Executor,
  input: { jobId?: string; freelancerId?: string; state?: string; cursor?: string; limit?: number },
): Promise<{ items: ProposalView[]; nextCursor: string | null }> {
  const limit = input.limit ?? 20
  const after = input.cursor ? parseTimeIdCursor(input.cursor) : null
  const rows = await createProposalsRepository(db).list({
    jobId: input.jobId,
    freelancerId: input.freelancerId,
    state: input.state,
    after,
    limit: limit + 1,
  })
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? timeIdCursor(last.createdAt, last.id) : null }
}

export type ProposalsService = ReturnType<typeof createProposalsService>
