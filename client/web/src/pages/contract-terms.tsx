import { minimalSetup } from 'codemirror'
import { EditorView } from '@codemirror/view'
import { useEffect, useRef, useState } from 'preact/hooks'
import { yCollab } from 'y-codemirror.next'
import * as Y from 'yjs'
import { openDocument, type WorkroomDocument } from '../../../../common/documents.js'
import { readTerms, scopeText, termsMap, type TermsDraft } from '../../../../common/terms.js'
import type { Contract, User } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { Loading } from '../ui/states.js'
import { HoursTerm, MoneyTerm, PeerTag, type Peer } from './contract-terms-fields.js'
import { MilestonesTerm } from './contract-terms-plan.js'

/** Presence colours: one per person, picked from the user id so it stays put across reloads. */
const palette = ['#d1495b', '#00798c', '#edae49', '#66a182', '#8d5fd3', '#2e4057']
const colourOf = (id: string) => palette[[...id].reduce((n, c) => n + c.charCodeAt(0), 0) % palette.length]!

const fieldLabels: Record<string, string> = {
  price: 'the price',
  hourlyRate: 'the hourly rate',
  weeklyLimitMinutes: 'the weekly limit',
  manualTimeAllowed: 'manual time',
  scope: 'the scope',
}
const fieldLabel = (field: string) =>
  fieldLabels[field] ?? (field.startsWith('milestones') ? `milestone ${Number(field.split('.')[1] ?? 0) + 1}` : field)

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
    awareness.setLocalStateField('user', {
      id: user.id,
      name: user.name,
      color: colourOf(user.id),
      colorLight: `${colourOf(user.id)}33`,
    })
    const onAwareness = () => {
      const list: Peer[] = []
      awareness.getStates().forEach((state, clientId) => {
        if (clientId === awareness.clientID) return
        const who = state.user as { name?: string; color?: string } | undefined
        if (!who?.name) return
        list.push({
          clientId,
          name: who.name,
          color: who.color ?? '#888',
          field: typeof state.field === 'string' ? state.field : null,
        })
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
  const editing = (field: string) =>
    peers.filter((p) => p.field === field || (field !== 'scope' && p.field?.startsWith(`${field}.`)))
  const ro = !writable || Boolean(terminated)
  return (
    <section class="card terms" aria-labelledby="terms-h" data-testid="terms-editor">
      <h2 id="terms-h">Terms (live draft)</h2>
      <div class="presence" aria-live="polite" data-testid="presence">
        <span class={`live-dot${status === 'connected' ? ' on' : ''}`} aria-hidden="true" />
        <span class="muted">
          {status === 'connected' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
        {peers.length === 0 ? (
          <span class="muted">· nobody else is here</span>
        ) : (
          peers.map((p) => (
            <span class="person" key={p.clientId}>
              <span class="swatch" style={{ background: p.color }} aria-hidden="true" />
              {p.name}{' '}
              {p.field ? <span class="muted">editing {fieldLabel(p.field)}</span> : <span class="muted">is here</span>}
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
        <MoneyTerm
          id="terms-price"
          label="Price"
          field="price"
          currency={contract.currency}
          value={draft.price}
          readOnly={ro}
          peers={editing('price')}
          onFocus={focus}
          onCommit={(v) => termsMap(shared.doc).set('price', v)}
        />
      ) : (
        <div class="row">
          <MoneyTerm
            id="terms-rate"
            label="Hourly rate"
            field="hourlyRate"
            currency={contract.currency}
            value={draft.hourlyRate}
            readOnly={ro}
            peers={editing('hourlyRate')}
            onFocus={focus}
            onCommit={(v) => termsMap(shared.doc).set('hourlyRate', v)}
          />
          <HoursTerm
            value={draft.weeklyLimitMinutes}
            readOnly={ro}
            peers={editing('weeklyLimitMinutes')}
            onFocus={focus}
            onCommit={(v) => termsMap(shared.doc).set('weeklyLimitMinutes', v)}
          />
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
      {contract.arrangement === 'fixed' && (
        <MilestonesTerm
          doc={shared.doc}
          draft={draft}
          currency={contract.currency}
          readOnly={ro}
          editing={editing}
          onFocus={focus}
        />
      )}
      <div class="field">
        <label id="scope-label">
          Scope of work{' '}
          {editing('scope').map((p) => (
            <PeerTag key={p.clientId} peer={p} />
          ))}
        </label>
        <ScopeEditor doc={shared} readOnly={ro} onFocus={focus} />
      </div>
    </section>
  )
}

/** CodeMirror bound to the shared Y.Text: both parties type at once, with each other's cursors. */
function ScopeEditor({
  doc,
  readOnly,
  onFocus,
}: {
  doc: WorkroomDocument
  readOnly: boolean
  onFocus(f: string | null): void
}) {
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
        EditorView.contentAttributes.of({
          'aria-labelledby': 'scope-label',
          'aria-multiline': 'true',
          role: 'textbox',
          'data-testid': 'scope-editor',
        }),
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
