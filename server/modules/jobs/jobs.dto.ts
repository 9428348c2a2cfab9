import type { JobRow } from './jobs.repository.js'
import type { JobDto } from './jobs.schemas.js'

/** A job as the API shows it. */
export function toJobDto(job: JobRow): JobDto {
  return {
    id: job.id,
    workroomId: job.workroomId,
    clientId: job.clientId,
    title: job.title,
    description: job.description,
    category: job.category,
    skills: job.skills,
    arrangement: job.arrangement as JobDto['arrangement'],
    currency: job.currency,
    budgetMin: job.budgetMin,
    budgetMax: job.budgetMax,
    rateMin: job.rateMin,
    rateMax: job.rateMax,
    visibility: job.visibility as JobDto['visibility'],
    proposalDeadline: job.proposalDeadline?.toISOString() ?? null,
    state: job.state as JobDto['state'],
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    publishedAt: job.publishedAt?.toISOString() ?? null,
    closedAt: job.closedAt?.toISOString() ?? null,
  }
}
