import { useLocation } from 'preact-iso'
import { useState } from 'preact/hooks'
import type { Proposal, Workroom } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useEvents } from '../lib/events.js'
import { useLoad } from '../lib/load.js'
import { useConfirm } from '../ui/confirm.js'
import { errorText } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Empty, StateBadge } from '../ui/states.js'

const bid = (p: Pick<Proposal, 'bidAmount' | 'hourlyRate' | 'currency'>) =>
  p.bidAmount !== null ? formatMoney(p.bidAmount, p.currency) : `${formatMoney(p.hourlyRate, p.currency)} / h`

/** The client's proposal list (shortlist, decline, hire); a freelancer sees their own. */
export function ProposalsTab({ hub, onChange }: { hub: Workroom; onChange(): void }) {
  const proposals = useLoad(
    () => ok(api.GET('/api/v1/jobs/{id}/proposals', { params: { path: { id: hub.job.id }, query: { limit: 100 } } })),
    [hub.job.id, hub.proposals.length],
  )
  // A proposal sent, edited, shortlisted or declined, or a hire: the list re-reads itself.
  useEvents(
    (frame) => {
      if (
        /^(proposal|contract)\./.test(frame.type) ||
        (frame.workroomId === hub.id && frame.type === 'notification.created')
      )
        void proposals.reload()
    },
    () => void proposals.reload(),
  )
  return (
    <Async state={proposals} label="Loading proposals…">
      {(list) =>
        list.items.length === 0 ? (
          <Empty>
            {hub.role === 'client'
              ? 'No proposals yet. They appear here as freelancers propose.'
              : 'You have no proposal on this job.'}
          </Empty>
        ) : (
          <ul class="list plain" data-testid="proposals">
            {list.items.map((p) => (
              <ProposalRow
                key={p.id}
                proposal={p}
                hub={hub}
                onChange={(next) => {
                  proposals.set((l) => ({ ...l!, items: l!.items.map((x) => (x.id === next.id ? next : x)) }))
                  onChange()
                }}
              />
            ))}
          </ul>
        )
      }
    </Async>
  )
}

function ProposalRow({
  proposal: p,
  hub,
  onChange,
}: {
  proposal: Proposal
  hub: Workroom
  onChange(p: Proposal): void
}) {
  const notify = useNotify()
  const { route } = useLocation()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [open, setOpen] = useState(false)
  const confirm = useConfirm()
  const act = async (action: 'shortlist' | 'decline' | 'hire') => {
    setBusy(true)
    setError(null)
    try {
      if (action === 'hire') {
        const contract = await ok(api.POST('/api/v1/proposals/{id}/hire', { params: { path: { id: p.id } } }))
        notify(`Offer sent to ${p.freelancerName}`)
        route(`/contracts/${contract.id}`)
        return
      }
      const next = await ok(api.POST(`/api/v1/proposals/{id}/${action}`, { params: { path: { id: p.id } } }))
      notify(action === 'shortlist' ? `${p.freelancerName} shortlisted` : `${p.freelancerName}’s proposal declined`)
      onChange(next)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const live = p.state === 'submitted' || p.state === 'shortlisted'
  return (
    <li class="card" data-testid={`proposal-${p.freelancerName}`}>
      <div class="meta">
        <h3>
          <a href={`/users/${p.freelancerId}`}>{p.freelancerName}</a>
        </h3>
        <strong>{bid(p)}</strong> · {p.estimatedDays} days <StateBadge state={p.state} />
        <span class="muted">· {formatDateTime(p.createdAt)}</span>
      </div>
      <button type="button" class="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide cover letter' : 'Read cover letter'}
      </button>
      {open && (
        <>
          <div class="prose">{p.coverLetter}</div>
          {p.milestones && p.milestones.length > 0 && (
            <table class="table">
              <caption class="visually-hidden">Milestone plan</caption>
              <thead>
                <tr>
                  <th scope="col">Milestone</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col">Due</th>
                </tr>
              </thead>
              <tbody>
                {p.milestones.map((m, i) => (
                  <tr key={i}>
                    <td>{m.title}</td>
                    <td class="num">{formatMoney(m.amount, p.currency)}</td>
                    <td>{m.dueDate ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <div class="actions">
        <a class="button" href={`/workrooms/${hub.id}/messages?thread=${p.threadId}`}>
          {hub.role === 'client' ? 'Message' : 'Messages'}
        </a>
        {hub.role === 'client' && live && (
          <>
            {p.state === 'submitted' && (
              <button type="button" class="button" disabled={busy} onClick={() => void act('shortlist')}>
                Shortlist
              </button>
            )}
            <button
              type="button"
              class="button button--primary"
              disabled={busy}
              onClick={() =>
                confirm.ask({
                  title: `Hire ${p.freelancerName} for ${bid(p)}?`,
                  message: `Hire ${p.freelancerName} for ${bid(p)}? They get an offer on the terms of this proposal; once they accept, the contract starts and you can fund it. No money moves until you fund.`,
                  onConfirm: () => void act('hire'),
                })
              }
            >
              Hire {p.freelancerName}
            </button>
            <button type="button" class="button button--danger" disabled={busy} onClick={() => void act('decline')}>
              Decline
            </button>
          </>
        )}
        {p.contractId && (
          <a class="button" href={`/contracts/${p.contractId}`}>
            Open the contract
          </a>
        )}
      </div>
      {error !== null && (
        <p class="form-error" role="alert">
          {errorText(error)}
        </p>
      )}
      {confirm.dialog}
    </li>
  )
}
