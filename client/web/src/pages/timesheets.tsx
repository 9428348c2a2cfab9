import { useRoute } from 'preact-iso'
import { useState } from 'preact/hooks'
import type { Contract, Timesheet, User } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDate, formatDateTime, formatMinutes, formatMoney } from '../lib/format.js'
import { useIdempotentSend } from '../lib/idempotency.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { useConfirm } from '../ui/confirm.js'
import { errorFor, FormError, SubmitButton, TextArea, TextField, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Empty, Loading, StateBadge } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

/** Weekly timesheets of an hourly contract. Weeks run Monday to Sunday in UTC, as the rules do. */
export function TimesheetsPage() {
  const user = useRequireUser()
  const { params } = useRoute()
  const id = params.id!
  const contract = useLoad(() => ok(api.GET('/api/v1/contracts/{id}', { params: { path: { id } } })), [id])
  const sheets = useLoad(() => ok(api.GET('/api/v1/contracts/{id}/timesheets', { params: { path: { id } } })), [id])
  usePageTitle(contract.data && `Timesheets: ${contract.data.jobTitle}`)
  useEvents(
    (frame) => {
      if ((frame.data as { contractId?: string }).contractId === id && /^(timesheet|segments)/.test(frame.type))
        void sheets.reload()
    },
    () => void sheets.reload(),
  )
  if (!user) return <Loading />
  return (
    <section class="page">
      <Async state={contract}>
        {(c) => (
          <>
            <p class="muted">
              <a href={`/contracts/${c.id}`}>← {c.jobTitle}</a>
            </p>
            <h1>Timesheets</h1>
            <p class="muted">
              Weeks run Monday 00:00 to Sunday 24:00 UTC. The freelancer submits until Monday 12:00 UTC; the client
              reviews until Friday 23:59 UTC.
            </p>
            <Async state={sheets} label="Loading timesheets…">
              {(list) =>
                list.items.length === 0 ? (
                  <Empty>No tracked weeks yet.</Empty>
                ) : (
                  <ul class="plain list" data-testid="timesheets">
                    {[...list.items].reverse().map((s) => (
                      <Sheet key={s.id} sheet={s} contract={c} user={user} onChange={() => void sheets.reload()} />
                    ))}
                  </ul>
                )
              }
            </Async>
          </>
        )}
      </Async>
    </section>
  )
}

function Sheet({
  sheet: s,
  contract,
  user,
  onChange,
}: {
  sheet: Timesheet
  contract: Contract
  user: User
  onChange(): void
}) {
  const notify = useNotify()
  const role = user.id === contract.clientId ? 'client' : 'freelancer'
  const [notes, setNotes] = useState(s.notes)
  const [disputing, setDisputing] = useState(false)
  const act = useSubmit()
  const send = useIdempotentSend()
  const confirm = useConfirm()
  const pay = s.amount !== null ? formatMoney(s.amount, s.currency) : ''
  const open = s.state === 'open' || s.state === 'draft'
  return (
    <li class="card" data-testid={`timesheet-${s.week}`}>
      <div class="meta">
        <h2>
          Week {s.week}{' '}
          <span class="muted">
            ({formatDate(s.weekStart, { utc: true })} –{' '}
            {formatDate(new Date(new Date(s.weekEnd).getTime() - 1).toISOString(), { utc: true })}, UTC)
          </span>
        </h2>
        <StateBadge state={s.state} />
      </div>
      <dl class="facts">
        <dt>Billable</dt>
        <dd>
          {formatMinutes(s.totals.billableMinutes)}{' '}
          {s.amount !== null && <strong>· {formatMoney(s.amount, s.currency)}</strong>}
        </dd>
        <dt>Protected</dt>
        <dd>
          {formatMinutes(s.totals.protectedMinutes)} · unprotected {formatMinutes(s.totals.unprotectedMinutes)}
        </dd>
        <dt>Tracked / manual</dt>
        <dd>
          {formatMinutes(s.totals.trackedMinutes)} / {formatMinutes(s.totals.manualMinutes)}
          {s.totals.overLimitMinutes > 0 &&
            ` · ${formatMinutes(s.totals.overLimitMinutes)} over the weekly limit (not billable)`}
        </dd>
        <dt>{s.submittedAt ? 'Submitted' : 'Submit by'}</dt>
        <dd>{formatDateTime(s.submittedAt ?? s.submitDeadline)}</dd>
        {s.reviewDueAt && !s.approvedAt && (
          <>
            <dt>Approves itself</dt>
            <dd>{formatDateTime(s.reviewDueAt)}</dd>
          </>
        )}
        {s.approvedAt && (
          <>
            <dt>Approved</dt>
            <dd>{formatDateTime(s.approvedAt)}</dd>
          </>
        )}
      </dl>
      {s.notes && !open && <p>{s.notes}</p>}
      {s.invoiceIds.length > 0 && (
        <p>
          Invoices:{' '}
          {s.invoiceIds.map((id, i) => (
            <a key={id} href={`/invoices/${id}`}>
              {i > 0 && ', '}invoice {i + 1}
            </a>
          ))}
        </p>
      )}
      {s.dispute && (
        <p class="callout">
          Disputed {formatMinutes(s.dispute.disputedMinutes)}: {s.dispute.reason} <StateBadge state={s.dispute.state} />
          {s.dispute.state === 'open' && ` The freelancer answers by ${formatDateTime(s.dispute.respondBy)}.`}
        </p>
      )}
      {role === 'freelancer' && open && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault()
            void act.run(async () => {
              await ok(api.POST('/api/v1/timesheets/{id}/submit', { params: { path: { id: s.id } }, body: { notes } }))
              notify(`Week ${s.week} submitted`)
              onChange()
            })
          }}
        >
          <TextArea
            id={`notes-${s.id}`}
            label="Notes for the client"
            rows={2}
            value={notes}
            onValue={setNotes}
            error={errorFor(act.error, 'notes')}
          />
          <SubmitButton busy={act.busy}>Submit week {s.week}</SubmitButton>
        </form>
      )}
      {role === 'client' && s.state === 'submitted' && (
        <div class="actions">
          <button
            type="button"
            class="button button--primary"
            disabled={act.busy}
            onClick={() =>
              confirm.ask({
                title: `Approve week ${s.week} and pay ${pay}?`,
                message: `Pay ${pay} for week ${s.week} to the freelancer? It moves from your wallet at once. This cannot be undone.`,
                onConfirm: () =>
                  void act.run(async () => {
                    await send({ approve: s.id }, (header) =>
                      ok(api.POST('/api/v1/timesheets/{id}/approve', { params: { path: { id: s.id }, header } })),
                    )
                    notify(`Week ${s.week} approved and paid`)
                    onChange()
                  }),
              })
            }
          >
            Approve and pay {pay}
          </button>
          <button type="button" class="button" onClick={() => setDisputing(!disputing)}>
            Dispute hours
          </button>
        </div>
      )}
      {disputing && <DisputeHours sheet={s} onDone={() => (setDisputing(false), onChange())} />}
      <FormError error={act.error} fields={['notes']} />
      {confirm.dialog}
    </li>
  )
}

function DisputeHours({ sheet, onDone }: { sheet: Timesheet; onDone(): void }) {
  const [hours, setHours] = useState('')
  const [reason, setReason] = useState('')
  const { busy, error, run } = useSubmit()
  const send = useIdempotentSend()
  return (
    <form
      class="stack inset"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () => {
          const body = { minutes: Math.round(Number(hours) * 60), reason }
          await send({ dispute: sheet.id, body }, (header) =>
            ok(api.POST('/api/v1/timesheets/{id}/dispute', { params: { path: { id: sheet.id }, header }, body })),
          )
          onDone()
        })
      }}
    >
      <TextField
        id={`dispute-hours-${sheet.id}`}
        label="Hours you dispute"
        type="number"
        min={0}
        step="0.25"
        value={hours}
        onValue={setHours}
        error={errorFor(error, 'minutes')}
      />
      <TextArea
        id={`dispute-reason-${sheet.id}`}
        label="Why"
        rows={2}
        value={reason}
        onValue={setReason}
        error={errorFor(error, 'reason')}
      />
      <FormError error={error} fields={['minutes', 'reason']} />
      <SubmitButton busy={busy}>Dispute; approve and pay the rest</SubmitButton>
    </form>
  )
}
