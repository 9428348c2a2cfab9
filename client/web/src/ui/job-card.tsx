import type { Job } from '../../../sdk/types.js'
import { formatDateTime, formatRange } from '../lib/format.js'
import { Badge, StateBadge } from './states.js'

export function jobBudget(job: Job): string {
  return job.arrangement === 'fixed'
    ? formatRange(job.budgetMin, job.budgetMax, job.currency)
    : formatRange(job.rateMin, job.rateMax, job.currency, ' / h')
}

export function JobCard({ job, showState }: { job: Job; showState?: boolean }) {
  return (
    <article class="card job-card">
      <h3>
        <a href={`/jobs/${job.id}`}>{job.title}</a>
      </h3>
      <p class="meta">
        <Badge>{job.arrangement === 'fixed' ? 'Fixed price' : 'Hourly'}</Badge> <strong>{jobBudget(job)}</strong>
        {showState && (
          <>
            {' '}
            <StateBadge state={job.state} />
          </>
        )}
        <span class="muted"> · posted {formatDateTime(job.publishedAt ?? job.createdAt)}</span>
      </p>
      <p class="excerpt">{job.description.length > 240 ? `${job.description.slice(0, 240)}…` : job.description}</p>
      {job.skills.length > 0 && (
        <ul class="tags" aria-label="Skills">
          {job.skills.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      )}
    </article>
  )
}
