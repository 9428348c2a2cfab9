import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { Contract, TermsVersion, User } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDate, formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { errorText, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Badge } from '../ui/states.js'

/** Propose the draft, see the other's proposal, accept it by its hash; every version stays readable. */
export function TermsVersions({ contract, user, onBound }: { contract: Contract; user: User; onBound(): void }) {
  const notify = useNotify()
  const versions = useLoad(
    () => ok(api.GET('/api/v1/contracts/{id}/terms/versions', { params: { path: { id: contract.id } } })),
    [contract.id],
  )
  useEvents(
    (frame) => {
      const data = frame.data as { contractId?: string }
      if ((frame.type === 'terms.proposed' || frame.type === 'terms.bound') && data.contractId === contract.id) {
        void versions.reload()
        if (frame.type === 'terms.bound') onBound()
      }
    },
    () => void versions.reload(),
  )
  const propose = useSubmit()
  const closed = ['ending', 'ended', 'declined', 'expired'].includes(contract.state)
  // The server publishes no event when the other party proposes a version (only an activity
  // entry), so a visible page re-reads the short version list every few seconds.
  useEffect(() => {
    if (closed) return
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void versions.reload()
    }, 3000)
    return () => clearInterval(timer)
  }, [closed, contract.id])
  const lastBound = versions.data?.items.filter((v) => v.boundAt).length ?? 0
  const seenBound = useRef(lastBound)
  useEffect(() => {
    if (lastBound > seenBound.current) onBound()
    seenBound.current = lastBound
  }, [lastBound])
  const role = user.id === contract.clientId ? 'client' : 'freelancer'
  const items = versions.data?.items ?? []
  const latest = items[items.length - 1]
  const mine = (v: TermsVersion) => v.proposedBy === user.id
  const acceptedByMe = (v: TermsVersion) => (role === 'client' ? v.clientAcceptedAt : v.freelancerAcceptedAt) !== null
  return (
    <section class="card" aria-labelledby="versions-h" data-testid="terms-versions">
      <h2 id="versions-h">Versions</h2>
      <p class="muted">
        Terms bind only when both of you accepted the same version. Proposing a version accepts it on your side.
      </p>
      {!closed && (
        <div class="actions">
          <button
            type="button"
            class="button button--primary"
            disabled={propose.busy}
            onClick={() =>
              void propose.run(async () => {
                const v = await ok(
                  api.POST('/api/v1/contracts/{id}/terms/versions', { params: { path: { id: contract.id } } }),
                )
                notify(`Version ${v.version} proposed`)
                void versions.reload()
              })
            }
          >
            {propose.busy ? 'Proposing…' : 'Propose this draft'}
          </button>
        </div>
      )}
      {propose.error !== null && (
        <p class="form-error" role="alert" data-testid="propose-error">
          {errorText(propose.error)}
        </p>
      )}
      {latest && !latest.boundAt && !mine(latest) && !acceptedByMe(latest) && !closed && (
        <AcceptPanel
          contract={contract}
          version={latest}
          proposer={role === 'client' ? 'freelancer' : 'client'}
          onAccepted={() => {
            void versions.reload()
            onBound()
          }}
        />
      )}
      <Async state={versions} label="Loading versions…">
        {(list) =>
          list.items.length === 0 ? (
            <p class="muted">No version yet: edit the draft together, then propose it.</p>
          ) : (
            <ol class="versions" reversed>
              {[...list.items].reverse().map((v) => (
                <VersionItem key={v.version} version={v} contract={contract} proposedByMe={mine(v)} />
              ))}
            </ol>
          )
        }
      </Async>
    </section>
  )
}

/** The other party's proposal, waiting for this side: accepting binds exactly this version (by its hash). */
function AcceptPanel({
  contract,
  version,
  proposer,
  onAccepted,
}: {
  contract: Contract
  version: TermsVersion
  proposer: string
  onAccepted(): void
}) {
  const notify = useNotify()
  const accept = useSubmit()
  return (
    <div class="callout" data-testid="other-proposal">
      <p>
        <strong>Version {version.version}</strong> was proposed by the {proposer} on {formatDateTime(version.createdAt)}
        . Review it below, then accept exactly this version.
      </p>
      <button
        type="button"
        class="button button--primary"
        disabled={accept.busy}
        onClick={() =>
          void accept.run(async () => {
            await ok(
              api.POST('/api/v1/contracts/{id}/terms/versions/{n}/accept', {
                params: { path: { id: contract.id, n: version.version } },
                body: { hash: version.hash },
              }),
            )
            notify(`Version ${version.version} accepted: the terms bind`)
            onAccepted()
          })
        }
      >
        Accept version {version.version}
      </button>
      {accept.error !== null && (
        <p class="form-error" role="alert">
          {errorText(accept.error)}
        </p>
      )}
    </div>
  )
}

function VersionItem({
  version: v,
  contract,
  proposedByMe,
}: {
  version: TermsVersion
  contract: Contract
  proposedByMe: boolean
}) {
  const [open, setOpen] = useState(false)
  const status = v.boundAt ? (
    <Badge tone="ok">Binding since {formatDateTime(v.boundAt)}</Badge>
  ) : (
    <Badge tone="warn">Waiting for {proposedByMe ? 'the other party' : 'you'}</Badge>
  )
  const money = useMemo(
    () =>
      v.terms.price !== null
        ? formatMoney(v.terms.price, v.terms.currency)
        : `${formatMoney(v.terms.hourlyRate, v.terms.currency)} / h`,
    [v],
  )
  return (
    <li data-testid={`version-${v.version}`}>
      <p>
        <strong>Version {v.version}</strong> · {money} · proposed by{' '}
        {proposedByMe ? 'you' : contract.clientId === v.proposedBy ? 'the client' : 'the freelancer'} ·{' '}
        {formatDateTime(v.createdAt)} {status}
      </p>
      <p class="muted">
        hash <code>{v.hash.slice(0, 16)}…</code>{' '}
        <button type="button" class="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide terms' : 'Show terms'}
        </button>
      </p>
      {open && (
        <div class="version-terms">
          {v.terms.weeklyLimitMinutes !== null && <p>Weekly limit: {v.terms.weeklyLimitMinutes / 60} h</p>}
          {v.terms.hourlyRate !== null && <p>Manual time {v.terms.manualTimeAllowed ? 'allowed' : 'not allowed'}</p>}
          {v.terms.milestones.length > 0 && (
            <ul>
              {v.terms.milestones.map((m, i) => (
                <li key={i}>
                  {m.title}: {formatMoney(m.amount, v.terms.currency)}
                  {m.dueDate && `, due ${formatDate(m.dueDate)}`}
                </li>
              ))}
            </ul>
          )}
          <div class="prose">{v.terms.scope}</div>
        </div>
      )}
    </li>
  )
}
