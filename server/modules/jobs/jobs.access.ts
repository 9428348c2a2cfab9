import type { Executor } from '../../../db/client.js'
import { getMembership, type Membership } from '../workrooms/index.js'
import { jobErrors } from './jobs.errors.js'
import type { JobRow, JobsRepository } from './jobs.repository.js'

/**
 * Who sees a job: its client always; a workroom member (invited or proposed) unless it is a
 * draft; anyone else only a public job that was published and not cancelled. Everyone
 * else gets 404, so invite-only jobs and drafts leak nothing, not even their existence.
 */
export function canSeeJob(job: Pick<JobRow, 'state' | 'visibility'>, membership: Membership | null): boolean {
  if (membership?.role === 'client') return true
  if (job.state === 'draft') return false
  if (membership) return true
  return job.visibility === 'public' && (job.state === 'open' || job.state === 'closed' || job.state === 'awarded')
}

export interface JobAccess {
  job: JobRow
  membership: Membership | null
}

/** The job as the viewer may see it, or 404. `lock` takes the row lock for a state change. */
export async function loadVisibleJob(
  tx: Executor,
  repository: Pick<JobsRepository, 'findById' | 'lock'>,
  input: { jobId: string; viewerId: string | null; lock?: boolean },
): Promise<JobAccess> {
  const job = input.lock ? await repository.lock(input.jobId) : await repository.findById(input.jobId)
  if (!job) throw jobErrors.notFound()
  const membership = input.viewerId ? await getMembership(tx, job.workroomId, input.viewerId) : null
  if (!canSeeJob(job, membership)) throw jobErrors.notFound()
  return { job, membership }
}

/** The job for something only its client may do: 404 if unseen, 403 if seen by someone else. */
export async function loadJobAsClient(
  tx: Executor,
  repository: Pick<JobsRepository, 'findById' | 'lock'>,
  input: { jobId: string; clientId: string; lock?: boolean },
): Promise<JobRow> {
  const { job, membership } = await loadVisibleJob(tx, repository, {
    jobId: input.jobId,
    viewerId: input.clientId,
    lock: input.lock,
  })
  if (membership?.role !== 'client') throw jobErrors.clientOnly()
  return job
}
