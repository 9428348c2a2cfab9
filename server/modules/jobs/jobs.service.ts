import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { Database, Executor } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import {
  decodeCursor,
  encodeCursor,
  isUuid,
  parseCursorTime,
  parseTimeIdCursor,
  timeIdCursor,
} from '../../http/page-cursor.js'
import type { IdGenerator } from '../../ids.js'
import { aboutField } from '../../http/validation-errors.js'
import { appendActivity } from '../activity/index.js'
import type { NotificationsService } from '../notifications/index.js'
import { admitFreelancer, createWorkroom } from '../workrooms/index.js'
import { loadJobAsClient, loadVisibleJob } from './jobs.access.js'
import { jobErrors } from './jobs.errors.js'
import { noticeInvite } from './jobs.notices.js'
import {
  createJobsRepository,
  LIVE_CONTRACT_STATES,
  type JobChanges,
  type JobRow,
  type SearchOrder,
} from './jobs.repository.js'
import type { JobSearchInput } from './jobs.schemas.js'

type Arrangement = 'fixed' | 'hourly'
type Visibility = 'public' | 'invite-only'

export interface JobInput {
  title: string
  description: string
  category?: string | null
  skills?: string[]
  arrangement: Arrangement
  currency: string
  budgetMin?: number
  budgetMax?: number
  rateMin?: number
  rateMax?: number
  visibility?: Visibility
  proposalDeadline?: string | null
}
export type JobPatch = Partial<JobInput>

interface Range {
  budgetMin: number | null
  budgetMax: number | null
  rateMin: number | null
  rateMax: number | null
}

/** Skills are tags: trimmed, single-spaced, lower-cased, each once. */
export function normalizeSkills(skills: readonly string[]): string[] {
  return [...new Set(skills.map((s) => s.trim().replace(/\s+/g, ' ').toLowerCase()).filter(Boolean))]
}

/**
 * A fixed job carries a budget range, an hourly job a rate range; never the other one. A
 * refusal names the field in words, amounts in major units of `currency`.
 */
function resolveRange(
  arrangement: Arrangement,
  currency: string,
  range: Partial<Record<keyof Range, number | null | undefined>>,
): Range {
  const fixed = arrangement === 'fixed'
  const [min, max, otherMin, otherMax] = fixed
    ? [range.budgetMin, range.budgetMax, range.rateMin, range.rateMax]
    : [range.rateMin, range.rateMax, range.budgetMin, range.budgetMax]
  const [minField, maxField, otherField] = fixed
    ? (['budgetMin', 'budgetMax', otherMin != null ? 'rateMin' : 'rateMax'] as const)
    : (['rateMin', 'rateMax', otherMin != null ? 'budgetMin' : 'budgetMax'] as const)
  if (otherMin != null || otherMax != null)
    throw jobErrors.rangeMismatch(
      ...aboutField(otherField, fixed ? 'must be empty on a fixed-price job' : 'must be empty on an hourly job'),
    )
  if (min == null || max == null)
    throw jobErrors.rangeRequired(...aboutField(min == null ? minField : maxField, 'is required'))
  if (min > max)
    throw jobErrors.rangeInverted(
      ...aboutField(maxField, `must be at least the minimum, ${formatMoney(min, currency, MESSAGE_LOCALE)}`),
    )
  return arrangement === 'fixed'
    ? { budgetMin: min, budgetMax: max, rateMin: null, rateMax: null }
    : { budgetMin: null, budgetMax: null, rateMin: min, rateMax: max }
}

function futureDeadline(value: string | null | undefined, now: Date): Date | null {
  if (value == null) return null
  const deadline = new Date(value)
  if (!(deadline.getTime() > now.getTime())) throw jobErrors.deadlineInPast()
  return deadline
}

export function createJobsService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  notifications: Pick<NotificationsService, 'notify'>
}) {
  const { db, clock, ids } = deps
  const log = (
    tx: Executor,
    job: JobRow,
    actorId: string | null,
    type: string,
    data: Record<string, unknown> = {},
    scopeFreelancerId?: string,
  ) =>
    appendActivity(
      tx,
      { clock, ids },
      {
        workroomId: job.workroomId,
        actorId,
        type,
        scopeFreelancerId: scopeFreelancerId ?? null,
        data: { jobId: job.id, ...data },
      },
    )

  /** One state change by the client, with its activity entry, in one transaction. */
  function transition(
    clientId: string,
    jobId: string,
    change: (job: JobRow, tx: Executor) => Promise<{ changes: JobChanges; activity: string }>,
  ): Promise<JobRow> {
    return db.transaction(async (tx) => {
      const repository = createJobsRepository(tx)
      const job = await loadJobAsClient(tx, repository, { jobId, clientId, lock: true })
      const { changes, activity } = await change(job, tx)
      const updated = await repository.update(job.id, { ...changes, updatedAt: clock.now() })
      await log(tx, updated, clientId, activity, { state: updated.state })
      return updated
    })
  }

  return {
    /** Creates a draft job and its workroom together. */
    async create(input: { clientId: string; job: JobInput }): Promise<JobRow> {
      const { job } = input
      const now = clock.now()
      const range = resolveRange(job.arrangement, job.currency, job)
      const proposalDeadline = futureDeadline(job.proposalDeadline, now)
      return db.transaction(async (tx) => {
        const workroomId = await createWorkroom(tx, { clock, ids }, { clientId: input.clientId })
        const created = await createJobsRepository(tx).insert({
          id: ids.newId(),
          workroomId,
          clientId: input.clientId,
          title: job.title.trim(),
          description: job.description,
          category: job.category?.trim() ?? null,
          skills: normalizeSkills(job.skills ?? []),
          arrangement: job.arrangement,
          currency: job.currency,
          ...range,
          visibility: job.visibility ?? 'public',
          proposalDeadline,
          state: 'draft',
          createdAt: now,
          updatedAt: now,
        })
        await log(tx, created, input.clientId, 'job.created', { state: 'draft' })
        return created
      })
    },

    async get(input: { jobId: string; viewerId: string | null }): Promise<JobRow> {
      return (await loadVisibleJob(db, createJobsRepository(db), input)).job
    },

    /** Edits a draft or open job. Arrangement and currency are frozen once anyone proposed. */
    async update(input: { clientId: string; jobId: string; patch: JobPatch }): Promise<JobRow> {
      const { patch } = input
      return db.transaction(async (tx) => {
        const repository = createJobsRepository(tx)
        const job = await loadJobAsClient(tx, repository, { jobId: input.jobId, clientId: input.clientId, lock: true })
        if (job.state !== 'draft' && job.state !== 'open') throw jobErrors.notEditable(undefined, { state: job.state })
        const arrangement = patch.arrangement ?? (job.arrangement as Arrangement)
        const currency = patch.currency ?? job.currency
        if (
          (arrangement !== job.arrangement || currency !== job.currency) &&
          (await repository.countProposals(job.id)) > 0
        ) {
          throw jobErrors.termsLocked()
        }
        // Switching arrangement drops the old range: the new one must come in the same patch.
        const keep = arrangement === job.arrangement
        const range = resolveRange(arrangement, currency, {
          budgetMin: patch.budgetMin ?? (keep ? job.budgetMin : null),
          budgetMax: patch.budgetMax ?? (keep ? job.budgetMax : null),
          rateMin: patch.rateMin ?? (keep ? job.rateMin : null),
          rateMax: patch.rateMax ?? (keep ? job.rateMax : null),
        })
        const changes: JobChanges = { ...range, arrangement, currency, updatedAt: clock.now() }
        if (patch.title !== undefined) changes.title = patch.title.trim()
        if (patch.description !== undefined) changes.description = patch.description
        if (patch.category !== undefined) changes.category = patch.category?.trim() ?? null
        if (patch.skills !== undefined) changes.skills = normalizeSkills(patch.skills)
        if (patch.visibility !== undefined) changes.visibility = patch.visibility
        if (patch.proposalDeadline !== undefined)
          changes.proposalDeadline = futureDeadline(patch.proposalDeadline, clock.now())
        const updated = await repository.update(job.id, changes)
        await log(tx, updated, input.clientId, 'job.updated', { fields: Object.keys(patch).sort() })
        return updated
      })
    },

    publish(input: { clientId: string; jobId: string }): Promise<JobRow> {
      return transition(input.clientId, input.jobId, async (job) => {
        if (job.state !== 'draft')
          throw jobErrors.invalidTransition(`A job in state ${job.state} cannot be published`, { state: job.state })
        const now = clock.now()
        if (job.proposalDeadline && job.proposalDeadline.getTime() <= now.getTime()) throw jobErrors.deadlinePassed()
        return { changes: { state: 'open', publishedAt: now }, activity: 'job.published' }
      })
    },

    /** Stops taking proposals: `awarded` when someone was hired, else `closed`. Offers already made stay valid. */
    close(input: { clientId: string; jobId: string }): Promise<JobRow> {
      return transition(input.clientId, input.jobId, async (job, tx) => {
        if (job.state !== 'open')
          throw jobErrors.invalidTransition(`A job in state ${job.state} cannot be closed`, { state: job.state })
        const hired = await createJobsRepository(tx).hasHire(job.id)
        return { changes: { state: hired ? 'awarded' : 'closed', closedAt: clock.now() }, activity: 'job.closed' }
      })
    },

    /** Withdraws the job; refused while a contract on it is offered or running. */
    cancel(input: { clientId: string; jobId: string }): Promise<JobRow> {
      return transition(input.clientId, input.jobId, async (job, tx) => {
        if (!['draft', 'open', 'closed'].includes(job.state)) {
          throw jobErrors.invalidTransition(`A job in state ${job.state} cannot be cancelled`, { state: job.state })
        }
        if ((await createJobsRepository(tx).countContracts(job.id, LIVE_CONTRACT_STATES)) > 0)
          throw jobErrors.hasContracts()
        return { changes: { state: 'cancelled', closedAt: job.closedAt ?? clock.now() }, activity: 'job.cancelled' }
      })
    },

    /** Invites a freelancer to an open job: they join the workroom (and see the job) with their own thread. */
    async invite(input: { clientId: string; jobId: string; freelancerId: string }) {
      return db.transaction(async (tx) => {
        const repository = createJobsRepository(tx)
        const job = await loadJobAsClient(tx, repository, { jobId: input.jobId, clientId: input.clientId, lock: true })
        if (job.state !== 'open') throw jobErrors.notOpen(undefined, { state: job.state })
        if (input.freelancerId === job.clientId) throw jobErrors.inviteSelf()
        if (!(await repository.userExists(input.freelancerId))) throw jobErrors.unknownFreelancer()
        const { threadId } = await admitFreelancer(
          tx,
          { clock, ids },
          { workroomId: job.workroomId, freelancerId: input.freelancerId, via: 'invite' },
        )
        const invite = await repository.insertInvite({
          jobId: job.id,
          freelancerId: input.freelancerId,
          invitedBy: input.clientId,
          createdAt: clock.now(),
        })
        if (!invite)
          return { invite: (await repository.findInvite(job.id, input.freelancerId))!, threadId, created: false }
        await log(tx, job, input.clientId, 'job.invited', { freelancerId: input.freelancerId }, input.freelancerId)
        await noticeInvite(deps.notifications, tx, { job, clientId: input.clientId, freelancerId: input.freelancerId })
        return { invite, threadId, created: true }
      })
    },

    async search(input: {
      viewerId: string | null
      query: JobSearchInput
    }): Promise<{ items: JobRow[]; nextCursor: string | null }> {
      const { query } = input
      const q = query.q?.trim() || null
      const sort = q && query.sort !== 'recent' ? 'relevance' : 'recent'
      const limit = query.limit ?? 20
      let order: SearchOrder
      if (sort === 'relevance') {
        order = {
          sort,
          after: query.cursor
            ? decodeCursor(query.cursor, (v) => {
                const publishedAt = parseCursorTime(v.t)
                return v.s === 'r' && Number.isSafeInteger(v.r) && publishedAt && isUuid(v.i)
                  ? { rank: v.r as number, publishedAt, id: v.i }
                  : null
              })
            : null,
        }
      } else {
        order = {
          sort,
          after: query.cursor
            ? decodeCursor(query.cursor, (v) => {
                const publishedAt = parseCursorTime(v.t)
                return v.s === 'n' && publishedAt && isUuid(v.i) ? { publishedAt, id: v.i } : null
              })
            : null,
        }
      }
      const rows = await createJobsRepository(db).search(
        {
          viewerId: input.viewerId,
          now: clock.now(),
          q,
          skills: normalizeSkills((query.skills ?? []).flatMap((s) => s.split(','))),
          arrangement: query.arrangement,
          currency: query.currency,
          category: query.category?.trim() || undefined,
          minBudget: query.minBudget,
          maxBudget: query.maxBudget,
          postedSince: query.postedSince ? new Date(query.postedSince) : undefined,
        },
        order,
        limit + 1,
      )
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      const nextCursor =
        rows.length > limit && last
          ? encodeCursor(
              sort === 'relevance'
                ? { s: 'r', r: last.rank, t: last.publishedAt!.toISOString(), i: last.id }
                : { s: 'n', t: last.publishedAt!.toISOString(), i: last.id },
            )
          : null
      return { items: page.map(({ rank: _rank, ...job }) => job), nextCursor }
    },

    /** The caller's own jobs (every state, drafts included), newest first. */
    async listMine(input: { clientId: string; state?: string; cursor?: string; limit?: number }) {
      const limit = input.limit ?? 20
      const after = input.cursor ? parseTimeIdCursor(input.cursor) : null
      const rows = await createJobsRepository(db).listByClient({
        clientId: input.clientId,
        state: input.state,
        after,
        limit: limit + 1,
      })
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return { items: page, nextCursor: rows.length > limit && last ? timeIdCursor(last.createdAt, last.id) : null }
    },
  }
}

export type JobsService = ReturnType<typeof createJobsService>
