import * as Y from 'yjs'
import { MAX_MILESTONES } from '../../../../common/milestone-plan.limits.js'
import { milestoneMap, milestonesArray, type TermsDraft } from '../../../../common/terms.js'
import { formatMoney } from '../lib/format.js'
import { MoneyTerm, PeerTag, type Peer } from './contract-terms-fields.js'

/** The milestone plan of a fixed-price draft: each row bound to its Y.Map in the shared array. */
export function MilestonesTerm({
  doc,
  draft,
  currency,
  readOnly,
  editing,
  onFocus,
}: {
  doc: Y.Doc
  draft: TermsDraft
  currency: string
  readOnly: boolean
  editing(f: string): Peer[]
  onFocus(f: string | null): void
}) {
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
              Milestone {i + 1}{' '}
              {editing(`milestones.${i}`).map((p) => (
                <PeerTag key={p.clientId} peer={p} />
              ))}
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
            <button
              type="button"
              class="link-button"
              aria-label={`Remove milestone ${i + 1}`}
              onClick={() => rows.delete(i, 1)}
            >
              Remove
            </button>
          )}
        </div>
      ))}
      <p class="muted">
        Milestones total {formatMoney(total, currency)}
        {typeof draft.price === 'number' && total !== draft.price && (
          <strong> — the price is {formatMoney(draft.price, currency)}; they must match to propose.</strong>
        )}
      </p>
      {!readOnly && rows.length < MAX_MILESTONES && (
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
