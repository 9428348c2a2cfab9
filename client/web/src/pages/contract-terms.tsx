import { minimalSetup } from 'codemirror'
import { EditorView } from '@codemirror/view'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { yCollab } from 'y-codemirror.next'
import * as Y from 'yjs'
import { openDocument, type WorkroomDocument } from '../../../../common/documents.js'
import { milestoneMap, milestonesArray, readTerms, scopeText, termsMap, type TermsDraft } from '../../../../common/terms.js'
import type { Contract, TermsVersion, User } from '../../../sdk/types.js'
import { api, ApiError, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDate, formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { Field, moneyText, moneyValue, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Badge, Loading } from '../ui/states.js'

/** Presence colours: one per person, picked from the user id so it stays put across reloads. */
const palette = ['#d1495b', '#00798c', '#edae49', '#66a182', '#8d5fd3', '#2e4057']
const colourOf = (id: string) => palette[[...id].reduce((n, c) => n + c.charCodeAt(0), 0) % palette.length]!

interface Peer {
  clientId: number
  name: string
  color: string
  field: string | null
}

const fieldLabels: Record<string, string> = {
  price: 'the price',
  hourlyRate: 'the hourly rate',
  weeklyLimitMinutes: 'the weekly limit',
  manualTimeAllowed: 'manual time',
  scope: 'the scope',
}
const fieldLabel = (field: string) => fieldLabels[field] ?? (field.startsWith('milestones') ? `milestone ${Number(field.split('.')[1] ?? 0) + 1}` : field)

/** Server text for a terms error, in the page's words (the API speaks in minor units). */
function termsErrorText(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : 'Something went wrong'
  const text = error.field && error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message
  return text.replace('a positive integer amount in minor units', 'a positive amount').replace(/amounts add up to (\d+), not the price (\d+)/, 'the milestone amounts must add up to the price')
}

/**
 * The live terms editor: fields and milestones bound to the shared Y.Map/Y.Array, the scope
 * text bound to Y.Text through y-codemirror.next, and who else is here and where.
 */
export function TermsEditor({ contract, user, writable }: { contract: Contract; user: User; writable: boolean }) {
  const [shared, setShared] = useState<WorkroomDocument | null>(null)
  const [draft, setDraft] = useState<TermsDraft | null>(null)
  const [peers, setPeers] = useState<Peer[]>([])
  const [status, setStatus] = useState<'connecting' | 'connected' | 'disconnected'>('connecting')
  const [terminated, setTerminated] = useState<string | null>(null)

  useEffect(() => {
    const document = openDocument({
      baseUrl: location.origin,
      docName: `contract:${contract.id}:terms`,
      getTicket: async () => (await ok(api.POST('/api/v1/realtime/tickets'))).ticket,
    })
    const { doc, awareness, provider } = document
    const refresh = () => setDraft(readTerms(doc))
    doc.on('update', refresh)
    refresh()
    awareness.setLocalStateField('user', { id: user.id, name: user.name, color: colourOf(user.id), colorLight: `${colourOf(user.id)}33` })
    const onAwareness = () => {
      const list: Peer[] = []
      awareness.getStates().forEach((state, clientId) => {
        if (clientId === awareness.clientID) return
        const who = state.user as { name?: string; color?: string } | undefined
        if (!who?.name) return
        list.push({ clientId, name: who.name, color: who.color ?? '#888', field: typeof state.field === 'string' ? state.field : null })
      })
      setPeers(list)
    }
    awareness.on('change', onAwareness)
    provider.on('status', (event: { status: 'connecting' | 'connected' | 'disconnected' }) => setStatus(event.status))
    document.onTerminated((close) => setTerminated(close.reason || 'The server closed the document'))
    setShared(document)
    return () => {
      awareness.off('change', onAwareness)
      doc.off('update', refresh)
      document.destroy()
    }
  }, [contract.id, user.id])

  if (!shared || !draft) return <Loading label="Opening the live terms…" />
  const focus = (field: string | null) => shared.awareness.setLocalStateField('field', field)
  const editing = (field: string) => peers.filter((p) => p.field === field || (field !== 'scope' && p.field?.startsWith(`${field}.`)))
  const ro = !writable || Boolean(terminated)
  return (
    <section class="card terms" aria-labelledby="terms-h" data-testid="terms-editor">
      <h2 id="terms-h">Terms (live draft)</h2>
      <div class="presence" aria-live="polite" data-testid="presence">
        <span class={`live-dot${status === 'connected' ? ' on' : ''}`} aria-hidden="true" />
        <span class="muted">{status === 'connected' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…'}</span>
        {peers.length === 0 ? (
          <span class="muted">· nobody else is here</span>
        ) : (
          peers.map((p) => (
            <span class="person" key={p.clientId}>
              <span class="swatch" style={{ background: p.color }} aria-hidden="true" />
              {p.name} {p.field ? <span class="muted">editing {fieldLabel(p.field)}</span> : <span class="muted">is here</span>}
            </span>
          ))
        )}
      </div>
      {terminated && (
        <p class="form-error" role="alert">
          {terminated}
        </p>
      )}
      {contract.arrangement === 'fixed' ? (
        <MoneyTerm id="terms-price" label="Price" field="price" currency={contract.currency} value={draft.price} readOnly={ro} peers={editing('price')} onFocus={focus} onCommit={(v) => termsMap(shared.doc).set('price', v)} />
      ) : (
        <div class="row">
          <MoneyTerm id="terms-rate" label="Hourly rate" field="hourlyRate" currency={contract.currency} value={draft.hourlyRate} readOnly={ro} peers={editing('hourlyRate')} onFocus={focus} onCommit={(v) => termsMap(shared.doc).set('hourlyRate', v)} />
          <HoursTerm value={draft.weeklyLimitMinutes} readOnly={ro} peers={editing('weeklyLimitMinutes')} onFocus={focus} onCommit={(v) => termsMap(shared.doc).set('weeklyLimitMinutes', v)} />
          <div class="field field--check">
            <input
              type="checkbox"
              id="terms-manual"
              checked={draft.manualTimeAllowed === true}
              disabled={ro}
              onFocus={() => focus('manualTimeAllowed')}
              onBlur={() => focus(null)}
              onChange={(e) => termsMap(shared.doc).set('manualTimeAllowed', e.currentTarget.checked)}
            />
            <label for="terms-manual">Manual time allowed</label>
          </div>
        </div>
      )}
      {contract.arrangement === 'fixed' && <MilestonesTerm doc={shared.doc} draft={draft} currency={contract.currency} readOnly={ro} editing={editing} onFocus={focus} />}
      <div class="field">
        <label id="scope-label">
          Scope of work {editing('scope').map((p) => <PeerTag key={p.clientId} peer={p} />)}
        </label>
        <ScopeEditor doc={shared} readOnly={ro} onFocus={focus} />
      </div>
    </section>
  )
}

function PeerTag({ peer }: { peer: Peer }) {
  return (
    <span class="editing-here" style={{ color: peer.color }}>
      {peer.name} is editing
    </span>
  )
}

function MoneyTerm(props: {
  id: string
  label: string
  field: string
  currency: string
  value: unknown
  readOnly: boolean
  peers: Peer[]
  onFocus(field: string | null): void
  onCommit(value: number | null): void
}) {
  const { id, label, field, currency, value, readOnly, peers, onFocus, onCommit } = props
  const numeric = typeof value === 'number' ? value : null
  const [text, setText] = useState(moneyText(numeric, currency))
  const focused = useRef(false)
  // Someone else changed it: show theirs unless we are typing in this very field.
  useEffect(() => {
    if (!focused.current) setText(moneyText(numeric, currency))
  }, [numeric, currency])
  const bad = text.trim() !== '' && moneyValue(text, currency) === undefined
  return (
    <Field id={id} label={<>{label} <span class="muted">({currency})</span> {peers.map((p) => <PeerTag key={p.clientId} peer={p} />)}</>} error={bad ? 'Enter an amount, e.g. 1250.00' : null}>
      <input
        id={id}
        inputMode="decimal"
        value={text}
        readOnly={readOnly}
        aria-invalid={bad || undefined}
        onFocus={() => {
          focused.current = true
          onFocus(field)
        }}
        onBlur={() => {
          focused.current = false
          onFocus(null)
          setText(moneyText(numeric, currency))
        }}
        onInput={(e) => {
          const next = e.currentTarget.value
          setText(next)
          if (next.trim() === '') onCommit(null)
          else {
            const parsed = moneyValue(next, currency)
            if (parsed !== undefined) onCommit(parsed)
          }
        }}
      />
    </Field>
  )
}

function HoursTerm({ value, readOnly, peers, onFocus, onCommit }: { value: unknown; readOnly: boolean; peers: Peer[]; onFocus(f: string | null): void; onCommit(v: number | null): void }) {
  const minutes = typeof value === 'number' ? value : null
  const shown = minutes === null ? '' : String(minutes / 60)
  const [text, setText] = useState(shown)
  const focused = useRef(false)
  useEffect(() => {
    if (!focused.current) setText(shown)
  }, [shown])
  return (
    <Field id="terms-limit" label={<>Weekly limit (hours) {peers.map((p) => <PeerTag key={p.clientId} peer={p} />)}</>} hint="Empty: no limit.">
      <input
        id="terms-limit"
        inputMode="decimal"
        value={text}
        readOnly={readOnly}
        onFocus={() => {
          focused.current = true
          onFocus('weeklyLimitMinutes')
        }}
        onBlur={() => {
          focused.current = false
          onFocus(null)
        }}
        onInput={(e) => {
          const next = e.currentTarget.value.trim()
          setText(e.currentTarget.value)
          if (next === '') return onCommit(null)
          const hours = Number(next)
          if (Number.isFinite(hours) && hours > 0) onCommit(Math.round(hours * 60))
        }}
      />
    </Field>
  )
}

function MilestonesTerm({ doc, draft, currency, readOnly, editing, onFocus }: { doc: Y.Doc; draft: TermsDraft; currency: string; readOnly: boolean; editing(f: string): Peer[]; onFocus(f: string | null): void }) {
  const rows = milestonesArray(doc)
  const total = draft.milestones.reduce((n, m) => n + (typeof m.amount === 'number' ? m.amount : 0), 0)
  const set = (index: number, key: string, value: unknown) => {
    const row = rows.get(index)
    if (row instanceof Y.Map) row.set(key, value)
  }
  return (
    <fieldset class="plan" data-testid="terms-milestones">
      <legend>Milestones</legend>
      {draft.milestones.map((m, i) => (
        <div class="plan-row" key={i}>
          <div class="field">
            <label for={`ms-${i}-title`}>
              Milestone {i + 1} {editing(`milestones.${i}`).map((p) => <PeerTag key={p.clientId} peer={p} />)}
            </label>
            <input
              id={`ms-${i}-title`}
              value={typeof m.title === 'string' ? m.title : ''}
              readOnly={readOnly}
              onFocus={() => onFocus(`milestones.${i}`)}
              onBlur={() => onFocus(null)}
              onInput={(e) => set(i, 'title', e.currentTarget.value)}
            />
          </div>
          <MoneyTerm
            id={`ms-${i}-amount`}
            label="Amount"
            field={`milestones.${i}`}
            currency={currency}
            value={m.amount}
            readOnly={readOnly}
            peers={[]}
            onFocus={onFocus}
            onCommit={(v) => set(i, 'amount', v)}
          />
          <div class="field">
            <label for={`ms-${i}-due`}>Due</label>
            <input
              id={`ms-${i}-due`}
              type="date"
              value={typeof m.dueDate === 'string' ? m.dueDate : ''}
              readOnly={readOnly}
              onFocus={() => onFocus(`milestones.${i}`)}
              onBlur={() => onFocus(null)}
              onInput={(e) => set(i, 'dueDate', e.currentTarget.value)}
            />
          </div>
          {!readOnly && (
            <button type="button" class="link-button" aria-label={`Remove milestone ${i + 1}`} onClick={() => rows.delete(i, 1)}>
              Remove
            </button>
          )}
        </div>
      ))}
      <p class="muted">
        Milestones total {formatMoney(total, currency)}
        {typeof draft.price === 'number' && total !== draft.price && <strong> — the price is {formatMoney(draft.price, currency)}; they must match to propose.</strong>}
      </p>
      {!readOnly && (
        <button
          type="button"
          class="button"
          onClick={() => {
            const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10)
            rows.push([milestoneMap({ title: `Milestone ${rows.length + 1}`, amount: 0, dueDate: due })])
          }}
        >
          Add a milestone
        </button>
      )}
    </fieldset>
  )
}

/** CodeMirror bound to the shared Y.Text: both parties type at once, with each other's cursors. */
function ScopeEditor({ doc, readOnly, onFocus }: { doc: WorkroomDocument; readOnly: boolean; onFocus(f: string | null): void }) {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const ytext = scopeText(doc.doc)
    const undoManager = new Y.UndoManager(ytext)
    const view = new EditorView({
      doc: ytext.toString(),
      parent: host.current!,
      extensions: [
        minimalSetup,
        EditorView.lineWrapping,
        EditorView.editable.of(!readOnly),
        EditorView.contentAttributes.of({ 'aria-labelledby': 'scope-label', 'aria-multiline': 'true', role: 'textbox', 'data-testid': 'scope-editor' }),
        EditorView.domEventHandlers({
          focus: () => void onFocus('scope'),
          blur: () => void onFocus(null),
        }),
        yCollab(ytext, doc.awareness, { undoManager }),
      ],
    })
    return () => {
      view.destroy()
      undoManager.destroy()
    }
  }, [doc, readOnly])
  return <div class="editor" ref={host} />
}

/** Propose the draft, see the other's proposal, accept it by its hash; every version stays readable. */
export function TermsVersions({ contract, user, onBound }: { contract: Contract; user: User; onBound(): void }) {
  const notify = useNotify()
  const versions = useLoad(() => ok(api.GET('/api/v1/contracts/{id}/terms/versions', { params: { path: { id: contract.id } } })), [contract.id])
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
  const accept = useSubmit()
  const closed = ['ended', 'declined', 'expired'].includes(contract.state)
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
      <p class="muted">Terms bind only when both of you accepted the same version. Proposing a version accepts it on your side.</p>
      {!closed && (
        <div class="actions">
          <button
            type="button"
            class="button button--primary"
            disabled={propose.busy}
            onClick={() =>
              void propose.run(async () => {
                const v = await ok(api.POST('/api/v1/contracts/{id}/terms/versions', { params: { path: { id: contract.id } } }))
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
          {termsErrorText(propose.error)}
        </p>
      )}
      {latest && !latest.boundAt && !mine(latest) && !acceptedByMe(latest) && !closed && (
        <div class="callout" data-testid="other-proposal">
          <p>
            <strong>Version {latest.version}</strong> was proposed by the {role === 'client' ? 'freelancer' : 'client'} on {formatDateTime(latest.createdAt)}. Review it below, then accept exactly this
            version.
          </p>
          <button
            type="button"
            class="button button--primary"
            disabled={accept.busy}
            onClick={() =>
              void accept.run(async () => {
                await ok(api.POST('/api/v1/contracts/{id}/terms/versions/{n}/accept', { params: { path: { id: contract.id, n: latest.version } }, body: { hash: latest.hash } }))
                notify(`Version ${latest.version} accepted: the terms bind`)
                void versions.reload()
                onBound()
              })
            }
          >
            Accept version {latest.version}
          </button>
          {accept.error !== null && (
            <p class="form-error" role="alert">
              {termsErrorText(accept.error)}
            </p>
          )}
        </div>
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

function VersionItem({ version: v, contract, proposedByMe }: { version: TermsVersion; contract: Contract; proposedByMe: boolean }) {
  const [open, setOpen] = useState(false)
  const status = v.boundAt ? <Badge tone="ok">Binding since {formatDateTime(v.boundAt)}</Badge> : <Badge tone="warn">Waiting for {proposedByMe ? 'the other party' : 'you'}</Badge>
  const money = useMemo(() => (v.terms.price !== null ? formatMoney(v.terms.price, v.terms.currency) : `${formatMoney(v.terms.hourlyRate, v.terms.currency)} / h`), [v])
  return (
    <li data-testid={`version-${v.version}`}>
      <p>
        <strong>Version {v.version}</strong> · {money} · proposed by {proposedByMe ? 'you' : contract.clientId === v.proposedBy ? 'the client' : 'the freelancer'} · {formatDateTime(v.createdAt)} {status}
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
                  {m.title}: {formatMoney(m.amount, v.terms.currency)}, due {formatDate(m.dueDate)}
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
