import { useRoute } from 'preact-iso'
import { useState } from 'preact/hooks'
import type { Contract, User } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { errorFor, FormError, SubmitButton, TextArea, TextField, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Empty, Loading, StateBadge } from '../ui/states.js'
import { EndContractButton, EndingHolds } from './contract-ending.js'
import { FeedbackSection } from './contract-feedback.js'
import { MilestonesSection } from './contract-milestones.js'
import { TermsEditor } from './contract-terms.js'
import { TermsVersions } from './contract-terms-versions.js'
import { usePageTitle } from '../lib/title.js'

/** One contract: its offer, the live terms, money and work, invoices. */
export function ContractPage() {
  const user = useRequireUser()
  const { params } = useRoute()
  const id = params.id!
  const contract = useLoad(() => ok(api.GET('/api/v1/contracts/{id}', { params: { path: { id } } })), [id])
  usePageTitle(contract.data && `Contract: ${contract.data.jobTitle}`)
  useEvents(
    (frame) => {
      const data = frame.data as { contractId?: string }
      if (data.contractId === id && /^(contract|terms)\./.test(frame.type)) void contract.reload()
    },
    () => void contract.reload(),
  )
  if (!user) return <Loading />
  return (
    <section class="page">
      <Async state={contract}>
        {(c) => <ContractView contract={c} user={user} onChange={contract.set} reload={() => void contract.reload()} />}
      </Async>
    </section>
  )
}

function ContractView({
  contract,
  user,
  onChange,
  reload,
}: {
  contract: Contract
  user: User
  onChange(c: Contract): void
  reload(): void
}) {
  const notify = useNotify()
  const role = user.id === contract.clientId ? 'client' : 'freelancer'
  const action = useSubmit()
  const act = (name: 'accept' | 'decline' | 'pause' | 'resume' | 'end', message: string) =>
    action.run(async () => {
      const next = await ok(api.POST(`/api/v1/contracts/{id}/${name}`, { params: { path: { id: contract.id } } }))
      onChange(next)
      notify(next.state === 'ending' ? 'Contract ending: the money in escrow settles by the rules shown' : message)
    })
  const amount =
    contract.arrangement === 'fixed'
      ? formatMoney(contract.price ?? contract.initialTerms.price, contract.currency)
      : `${formatMoney(contract.hourlyRate ?? contract.initialTerms.hourlyRate, contract.currency)} / h`
  const live = contract.state === 'active' || contract.state === 'paused'
  const writable = !['ending', 'ended', 'declined', 'expired'].includes(contract.state)
  return (
    <>
      <p class="muted">
        Contract · you are the {role} · <a href={`/workrooms/${contract.workroomId}`}>workroom</a>
        {contract.threadId && (
          <>
            {' '}
            · <a href={`/workrooms/${contract.workroomId}/messages?thread=${contract.threadId}`}>messages</a>
          </>
        )}
      </p>
      <h1>{contract.jobTitle}</h1>
      <div class="meta">
        <StateBadge state={contract.state} /> <strong>{amount}</strong>
        <span class="muted">
          ·{' '}
          {contract.boundTermsVersion
            ? `terms version ${contract.boundTermsVersion} binding`
            : contract.state === 'offered'
              ? 'terms version 1 binds when the offer is accepted'
              : 'no terms bind yet'}{' '}
          · offered {formatDateTime(contract.offeredAt)}
        </span>
      </div>
      {contract.state === 'offered' && (
        <div class="callout" data-testid="offer">
          {role === 'freelancer' ? (
            <>
              <p>
                The client offers you this contract on the terms below (version 1). Accepting binds them: work can start
                and the client can fund the first milestone at once. The offer expires{' '}
                {formatDateTime(contract.offerExpiresAt)}.
              </p>
              <div class="actions">
                <button
                  type="button"
                  class="button button--primary"
                  disabled={action.busy}
                  onClick={() => void act('accept', 'Contract accepted')}
                >
                  Accept the offer
                </button>
                <button
                  type="button"
                  class="button button--danger"
                  disabled={action.busy}
                  onClick={() => void act('decline', 'Offer declined')}
                >
                  Decline
                </button>
              </div>
            </>
          ) : (
            <>
              <p>Waiting for the freelancer to accept (until {formatDateTime(contract.offerExpiresAt)}).</p>
              <button
                type="button"
                class="button button--danger"
                disabled={action.busy}
                onClick={() => void act('end', 'Offer withdrawn')}
              >
                Withdraw the offer
              </button>
            </>
          )}
        </div>
      )}
      {live && (
        <div class="actions">
          {contract.arrangement === 'hourly' && (
            <>
              {role === 'freelancer' && (
                <a class="button button--primary" href={`/contracts/${contract.id}/tracker`}>
                  Open the tracker
                </a>
              )}
              <a class="button" href={`/contracts/${contract.id}/workview`}>
                Work View
              </a>
              <a class="button" href={`/contracts/${contract.id}/timesheets`}>
                Timesheets
              </a>
            </>
          )}
          {role === 'client' && contract.state === 'active' && (
            <button
              type="button"
              class="button"
              disabled={action.busy}
              onClick={() => void act('pause', 'Contract paused')}
            >
              Pause
            </button>
          )}
          {role === 'client' && contract.state === 'paused' && (
            <button
              type="button"
              class="button"
              disabled={action.busy}
              onClick={() => void act('resume', 'Contract resumed')}
            >
              Resume
            </button>
          )}
          <EndContractButton
            contract={contract}
            disabled={action.busy}
            onConfirm={() => void act('end', 'Contract ended')}
          />
        </div>
      )}
      <FormError error={action.error} />
      {contract.state === 'ending' && <EndingHolds contract={contract} user={user} />}
      {contract.state === 'ended' && <FeedbackSection contract={contract} user={user} />}
      <div class="two-col">
        <div class="stack">
          <TermsEditor contract={contract} user={user} writable={writable} />
          {contract.arrangement === 'fixed' && <MilestonesSection contract={contract} user={user} />}
          {contract.arrangement === 'fixed' && <StatusReports contract={contract} user={user} />}
        </div>
        <div class="stack">
          <TermsVersions contract={contract} user={user} onBound={reload} />
          <Invoices contract={contract} />
        </div>
      </div>
    </>
  )
}

function Invoices({ contract }: { contract: Contract }) {
  const invoices = useLoad(
    () => ok(api.GET('/api/v1/invoices', { params: { query: { contractId: contract.id, limit: 50 } } })),
    [contract.id],
  )
  useEvents(
    (frame) => {
      const data = frame.data as { contractId?: string }
      if (data.contractId === contract.id && /^(contract\.money|invoice\.|timesheet)/.test(frame.type))
        void invoices.reload()
    },
    () => void invoices.reload(),
  )
  return (
    <section class="card" aria-labelledby="invoices-h" data-testid="invoices">
      <h2 id="invoices-h">Invoices</h2>
      <Async state={invoices} label="Loading invoices…">
        {(list) =>
          list.items.length === 0 ? (
            <p class="muted">No invoices yet.</p>
          ) : (
            <ul class="plain">
              {list.items.map((inv) => (
                <li key={inv.id}>
                  <a href={`/invoices/${inv.id}`}>{inv.displayNumber ?? 'Draft invoice'}</a> ·{' '}
                  {formatMoney(inv.total, inv.currency)} <StateBadge state={inv.state} />
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  )
}

function StatusReports({ contract, user }: { contract: Contract; user: User }) {
  const notify = useNotify()
  const reports = useLoad(
    () =>
      ok(
        api.GET('/api/v1/contracts/{id}/status-reports', {
          params: { path: { id: contract.id }, query: { limit: 20 } },
        }),
      ),
    [contract.id],
  )
  const [workCompleted, setWorkCompleted] = useState('')
  const [progress, setProgress] = useState('')
  const [plans, setPlans] = useState('')
  const file = useSubmit()
  const isFreelancer = user.id === contract.freelancerId
  return (
    <section class="card" aria-labelledby="reports-h">
      <h2 id="reports-h">Weekly status reports</h2>
      <Async state={reports} label="Loading reports…">
        {(list) => (
          <>
            {list.nextDue && (
              <p class="muted" data-testid="report-due">
                The report for the week of {list.nextDue.weekStart} is due by {formatDateTime(list.nextDue.dueAt)}; a
                week without one is flagged then.
              </p>
            )}
            {list.missingWeeks.length > 0 && (
              <p class="form-error">
                Missing reports for the weeks of {list.missingWeeks.map((w) => w.weekStart.slice(0, 10)).join(', ')}{' '}
                (weeks start Monday, UTC).
              </p>
            )}
            {list.items.length === 0 ? (
              <Empty>No reports yet.</Empty>
            ) : (
              <ul class="plain list">
                {list.items.map((r) => (
                  <li key={r.id}>
                    <strong>Week of {r.weekStart.slice(0, 10)}</strong>{' '}
                    <span class="muted">(UTC) · {r.progress}% done</span>
                    <p>{r.workCompleted}</p>
                    <p class="muted">Next: {r.plans}</p>
                    {r.comments.map((c) => (
                      <p key={c.id} class="muted">
                        💬 {c.body}
                      </p>
                    ))}
                    <ReportComment reportId={r.id} onDone={() => void reports.reload()} />
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Async>
      {isFreelancer && contract.state === 'active' && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault()
            void file.run(async () => {
              await ok(
                api.POST('/api/v1/contracts/{id}/status-reports', {
                  params: { path: { id: contract.id } },
                  body: { workCompleted, progress: Number(progress), plans },
                }),
              )
              setWorkCompleted('')
              setPlans('')
              notify('Status report filed')
              void reports.reload()
            })
          }}
        >
          <h3>File this week’s report</h3>
          <TextArea
            id="report-done"
            label="Work completed"
            rows={3}
            value={workCompleted}
            onValue={setWorkCompleted}
            error={errorFor(file.error, 'workCompleted')}
          />
          <TextField
            id="report-progress"
            label="Progress (%)"
            type="number"
            min={0}
            max={100}
            value={progress}
            onValue={setProgress}
            error={errorFor(file.error, 'progress')}
          />
          <TextArea
            id="report-plans"
            label="Plans for next week"
            rows={3}
            value={plans}
            onValue={setPlans}
            error={errorFor(file.error, 'plans')}
          />
          <FormError error={file.error} fields={['workCompleted', 'progress', 'plans']} />
          <SubmitButton busy={file.busy}>File report</SubmitButton>
        </form>
      )}
    </section>
  )
}

function ReportComment({ reportId, onDone }: { reportId: string; onDone(): void }) {
  const [body, setBody] = useState('')
  const { busy, error, run } = useSubmit()
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () => {
          await ok(
            api.POST('/api/v1/status-reports/{id}/comments', { params: { path: { id: reportId } }, body: { body } }),
          )
          setBody('')
          onDone()
        })
      }}
    >
      <label for={`comment-${reportId}`} class="visually-hidden">
        Comment
      </label>
      <input
        id={`comment-${reportId}`}
        placeholder="Comment…"
        value={body}
        onInput={(e) => setBody(e.currentTarget.value)}
      />
      <button type="submit" class="button button--small" disabled={busy || !body.trim()}>
        Comment
      </button>
      <FormError error={error} />
    </form>
  )
}
