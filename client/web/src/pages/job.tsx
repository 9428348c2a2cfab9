import { useLocation, useRoute } from 'preact-iso'
import { useState } from 'preact/hooks'
import type { Job, Proposal } from '../../../sdk/types.js'
import { api, ApiError, ok } from '../lib/api.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useSession } from '../lib/session.js'
import {
  errorFor,
  errorText,
  FormError,
  MoneyField,
  moneyText,
  moneyValue,
  SubmitButton,
  TextArea,
  TextField,
  useSubmit,
} from '../ui/forms.js'
import { FreelancerPicker, type PickedFreelancer } from '../ui/freelancer-picker.js'
import { jobBudget } from '../ui/job-card.js'
import { MilestonePlan, type PlanRow } from '../ui/milestone-plan.js'
import { useNotify } from '../ui/notices.js'
import { Async, Badge, Loading, StateBadge } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

export function JobPage() {
  const { params } = useRoute()
  const id = params.id!
  const { user } = useSession()
  const job = useLoad(() => ok(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } })), [id])
  usePageTitle(job.data && `Job: ${job.data.title}`)
  return (
    <section class="page">
      <Async state={job}>
        {(loaded) => (
          <div class="two-col">
            <JobDetails job={loaded} />
            <aside>
              {!user ? (
                <div class="card">
                  <p>Sign in to propose on this job.</p>
                  <a class="button button--primary" href={`/signin?next=/jobs/${loaded.id}`}>
                    Sign in to propose
                  </a>
                </div>
              ) : user.id === loaded.clientId ? (
                <OwnerPanel job={loaded} onJob={job.set} />
              ) : (
                <FreelancerPanel job={loaded} />
              )}
            </aside>
          </div>
        )}
      </Async>
    </section>
  )
}

function JobDetails({ job }: { job: Job }) {
  return (
    <article class="job">
      <h1>{job.title}</h1>
      <p class="meta">
        <Badge>{job.arrangement === 'fixed' ? 'Fixed price' : 'Hourly'}</Badge> <strong>{jobBudget(job)}</strong>{' '}
        <StateBadge state={job.state} />
        {job.visibility === 'invite-only' && <Badge>Invite only</Badge>}
      </p>
      <dl class="facts">
        {job.category && (
          <>
            <dt>Category</dt>
            <dd>{job.category}</dd>
          </>
        )}
        <dt>Posted</dt>
        <dd>{formatDateTime(job.publishedAt ?? job.createdAt)}</dd>
        {job.proposalDeadline && (
          <>
            <dt>Proposals close</dt>
            <dd>{formatDateTime(job.proposalDeadline)}</dd>
          </>
        )}
      </dl>
      <div class="prose">{job.description}</div>
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

const inviteErrorFields = { 'jobs.unknown_freelancer': 'freelancerId', 'jobs.invite_self': 'freelancerId' }

function OwnerPanel({ job, onJob }: { job: Job; onJob(job: Job): void }) {
  const notify = useNotify()
  const { busy, error, run } = useSubmit()
  const act = (action: 'publish' | 'close' | 'cancel', message: string) =>
    run(async () => {
      const next = await ok(api.POST(`/api/v1/jobs/{id}/${action}`, { params: { path: { id: job.id } } }))
      onJob(next)
      notify(message)
    })
  const [invitee, setInvitee] = useState<PickedFreelancer | null>(null)
  const invite = useSubmit()
  return (
    <div class="card stack">
      <h2>Your job</h2>
      <a class="button button--primary" href={`/workrooms/${job.workroomId}`}>
        Open the workroom
      </a>
      <div class="actions">
        {(job.state === 'draft' || job.state === 'open') && (
          <a class="button" href={`/jobs/${job.id}/edit`}>
            Edit
          </a>
        )}
        {job.state === 'draft' && (
          <button type="button" class="button" disabled={busy} onClick={() => void act('publish', 'Job published')}>
            Publish
          </button>
        )}
        {job.state === 'open' && (
          <button
            type="button"
            class="button"
            disabled={busy}
            onClick={() => void act('close', 'Job closed to new proposals')}
          >
            Close to proposals
          </button>
        )}
        {(job.state === 'draft' || job.state === 'open') && (
          <button
            type="button"
            class="button button--danger"
            disabled={busy}
            onClick={() => void act('cancel', 'Job cancelled')}
          >
            Cancel job
          </button>
        )}
      </div>
      <FormError error={error} />
      {job.state === 'open' && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault()
            void invite.run(async () => {
              if (!invitee) throw new Error('Pick a freelancer from the list first.')
              await ok(
                api.POST('/api/v1/jobs/{id}/invites', {
                  params: { path: { id: job.id } },
                  body: { freelancerId: invitee.id },
                }),
              )
              setInvitee(null)
              notify(`${invitee.name} is invited`)
            })
          }}
        >
          <FreelancerPicker
            id="invitee"
            label="Invite a freelancer"
            picked={invitee}
            onPick={setInvitee}
            excludeId={job.clientId}
            error={
              invite.error && !(invite.error instanceof ApiError)
                ? errorText(invite.error)
                : errorFor(invite.error, 'freelancerId', inviteErrorFields)
            }
          />
          {invite.error instanceof ApiError && (
            <FormError error={invite.error} fields={['freelancerId']} codeFields={inviteErrorFields} />
          )}
          <SubmitButton busy={invite.busy}>Invite</SubmitButton>
        </form>
      )}
    </div>
  )
}

function FreelancerPanel({ job }: { job: Job }) {
  const mine = useLoad(
    () =>
      ok(api.GET('/api/v1/jobs/{id}/proposals', { params: { path: { id: job.id }, query: { limit: 5 } } })).catch(
        (err: unknown) => {
          // Not a member of the workroom yet (never proposed or invited): no proposal of ours.
          if (err instanceof ApiError && err.status === 404) return { items: [], nextCursor: null }
          throw err
        },
      ),
    [job.id],
  )
  return (
    <Async state={mine} label="Loading your proposal…">
      {(list) => {
        const live = list.items.find((p) => p.state !== 'withdrawn' && p.state !== 'declined')
        if (live) return <OwnProposal proposal={live} job={job} onChange={() => void mine.reload()} />
        if (job.state !== 'open') return <div class="card">This job is not taking proposals.</div>
        return <ProposalForm job={job} onSent={() => void mine.reload()} />
      }}
    </Async>
  )
}

const proposalCodeFields = {
  'proposals.bid_mismatch': 'bidAmount',
  'proposals.milestones_total': 'milestones',
  'proposals.milestones_not_fixed': 'milestones',
}

function ProposalForm({ job, proposal, onSent }: { job: Job; proposal?: Proposal; onSent(p: Proposal): void }) {
  const notify = useNotify()
  const fixed = job.arrangement === 'fixed'
  const [coverLetter, setCoverLetter] = useState(proposal?.coverLetter ?? '')
  const [bid, setBid] = useState(
    moneyText(proposal ? (fixed ? proposal.bidAmount : proposal.hourlyRate) : null, job.currency),
  )
  const [days, setDays] = useState(proposal ? String(proposal.estimatedDays) : '')
  const [plan, setPlan] = useState<PlanRow[]>(
    proposal?.milestones?.map((m) => ({
      title: m.title,
      amount: moneyText(m.amount, job.currency),
      dueDate: m.dueDate ?? '',
    })) ?? [],
  )
  const { busy, error, run } = useSubmit()
  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const amount = moneyValue(bid, job.currency)
      const milestones = plan.map((m) => ({
        title: m.title.trim(),
        amount: moneyValue(m.amount, job.currency) ?? -1,
        dueDate: m.dueDate || null,
      }))
      const body = {
        coverLetter,
        ...(amount !== undefined ? (fixed ? { bidAmount: amount } : { hourlyRate: amount }) : {}),
        estimatedDays: Number.parseInt(days, 10),
        ...(fixed && milestones.length ? { milestones } : {}),
      }
      const sent = proposal
        ? await ok(api.PATCH('/api/v1/proposals/{id}', { params: { path: { id: proposal.id } }, body }))
        : await ok(api.POST('/api/v1/jobs/{id}/proposals', { params: { path: { id: job.id } }, body }))
      notify(proposal ? 'Proposal updated' : 'Proposal sent')
      onSent(sent)
    })
  }
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h2>{proposal ? 'Edit your proposal' : 'Propose'}</h2>
      <TextArea
        id="cover-letter"
        label="Cover letter"
        rows={7}
        value={coverLetter}
        onValue={setCoverLetter}
        required
        error={errorFor(error, 'coverLetter')}
      />
      <MoneyField
        id="bid"
        label={fixed ? 'Your bid' : 'Your hourly rate'}
        currency={job.currency}
        value={bid}
        onValue={setBid}
        required
        hint={`The client's ${fixed ? 'budget' : 'rate'}: ${jobBudget(job)}`}
        error={errorFor(error, fixed ? 'bidAmount' : 'hourlyRate', proposalCodeFields)}
      />
      <TextField
        id="days"
        label="Estimated days"
        type="number"
        min={1}
        value={days}
        onValue={setDays}
        required
        error={errorFor(error, 'estimatedDays')}
      />
      {fixed && <MilestonePlan rows={plan} onRows={setPlan} currency={job.currency} error={error} />}
      {errorFor(error, 'milestones', proposalCodeFields) && !errorFor(error, 'milestones.0') && (
        <p class="field-error" role="alert">
          {errorText(error)}
        </p>
      )}
      <FormError
        error={error}
        fields={['coverLetter', 'bidAmount', 'hourlyRate', 'estimatedDays', 'milestones']}
        codeFields={proposalCodeFields}
      />
      <SubmitButton busy={busy}>{proposal ? 'Save proposal' : 'Send proposal'}</SubmitButton>
    </form>
  )
}

function OwnProposal({ proposal, job, onChange }: { proposal: Proposal; job: Job; onChange(): void }) {
  const [editing, setEditing] = useState(false)
  const notify = useNotify()
  const { route } = useLocation()
  const withdraw = useSubmit()
  if (editing)
    return (
      <ProposalForm
        job={job}
        proposal={proposal}
        onSent={() => {
          setEditing(false)
          onChange()
        }}
      />
    )
  const amount =
    job.arrangement === 'fixed'
      ? formatMoney(proposal.bidAmount, proposal.currency)
      : `${formatMoney(proposal.hourlyRate, proposal.currency)} / h`
  return (
    <div class="card stack" data-testid="own-proposal">
      <h2>Your proposal</h2>
      <p>
        <StateBadge state={proposal.state} /> {amount} · {proposal.estimatedDays} days
      </p>
      <p class="muted">Sent {formatDateTime(proposal.createdAt)}</p>
      <div class="actions">
        <button
          type="button"
          class="button button--primary"
          onClick={() => route(`/workrooms/${proposal.workroomId}/messages`)}
        >
          Message the client
        </button>
        {proposal.contractId && (
          <a class="button" href={`/contracts/${proposal.contractId}`}>
            Open the contract
          </a>
        )}
        {(proposal.state === 'submitted' || proposal.state === 'shortlisted') && (
          <>
            <button type="button" class="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button
              type="button"
              class="button button--danger"
              disabled={withdraw.busy}
              onClick={() =>
                void withdraw.run(async () => {
                  await ok(api.POST('/api/v1/proposals/{id}/withdraw', { params: { path: { id: proposal.id } } }))
                  notify('Proposal withdrawn')
                  onChange()
                })
              }
            >
              Withdraw
            </button>
          </>
        )}
      </div>
      <FormError error={withdraw.error} />
      {withdraw.busy && <Loading label="Withdrawing…" />}
    </div>
  )
}
