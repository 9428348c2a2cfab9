import { useEffect, useRef, useState } from 'preact/hooks'
import { Field, moneyText, moneyValue } from '../ui/forms.js'

/** Someone else on the live terms, and the field they are in (null: none). */
export interface Peer {
  clientId: number
  name: string
  color: string
  field: string | null
}

/** Shown beside a field someone else is editing. */
export function PeerTag({ peer }: { peer: Peer }) {
  return (
    <span class="editing-here" style={{ color: peer.color }}>
      {peer.name} is editing
    </span>
  )
}

/** An amount in the contract currency; the shared value changes as soon as the text is a valid amount. */
export function MoneyTerm(props: {
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
    <Field
      id={id}
      label={
        <>
          {label} <span class="muted">({currency})</span>{' '}
          {peers.map((p) => (
            <PeerTag key={p.clientId} peer={p} />
          ))}
        </>
      }
      error={bad ? 'Enter an amount, e.g. 1250.00' : null}
    >
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

/** The weekly limit, typed in hours, kept in minutes. */
export function HoursTerm({
  value,
  readOnly,
  peers,
  onFocus,
  onCommit,
}: {
  value: unknown
  readOnly: boolean
  peers: Peer[]
  onFocus(f: string | null): void
  onCommit(v: number | null): void
}) {
  const minutes = typeof value === 'number' ? value : null
  const shown = minutes === null ? '' : String(minutes / 60)
  const [text, setText] = useState(shown)
  const focused = useRef(false)
  useEffect(() => {
    if (!focused.current) setText(shown)
  }, [shown])
  return (
    <Field
      id="terms-limit"
      label={
        <>
          Weekly limit (hours){' '}
          {peers.map((p) => (
            <PeerTag key={p.clientId} peer={p} />
          ))}
        </>
      }
      hint="Empty: no limit."
    >
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
