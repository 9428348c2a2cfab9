import type { ComponentChildren } from 'preact'
import { useCallback, useRef, useState } from 'preact/hooks'
import { fieldInWords } from '../../../../common/field-names.js'
import { currencyDigits, minorToDecimal, parseMoney } from '../../../../common/money.js'
import { ApiError } from '../lib/api.js'

/** Which form field a server error is about: its `field`, or a known code of that field. */
export function fieldOf(error: unknown, codeFields: Record<string, string> = {}): string | null {
  if (!(error instanceof ApiError)) return null
  if (error.field) return error.field
  return codeFields[error.code] ?? null
}

export function errorText(error: unknown): string {
  // The server names fields in words in its messages ("Milestone 2 amount must be..."), amounts
  // in major units with the currency: its message is shown as it is.
  if (error instanceof Error) return error.message
  return 'Something went wrong'
}

/** Runs one submit at a time; keeps its error for the form to show. */
export function useSubmit() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const running = useRef(false)
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    if (running.current) return undefined
    running.current = true
    setBusy(true)
    setError(null)
    try {
      return await action()
    } catch (err) {
      setError(err)
      return undefined
    } finally {
      running.current = false
      setBusy(false)
    }
  }, [])
  return { busy, error, setError, run }
}

interface FieldProps {
  id: string
  label: ComponentChildren
  /** The server's error for this field, shown beside it. */
  error?: string | null | undefined
  hint?: ComponentChildren
  children: ComponentChildren
}

export function Field({ id, label, error, hint, children }: FieldProps) {
  return (
    <div class={`field${error ? ' field--invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && !error && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  )
}

/** Props an input needs to point at its error or hint. */
export const describedBy = (id: string, error: unknown, hint?: unknown) => ({
  'aria-invalid': error ? true : undefined,
  'aria-describedby': error ? `${id}-error` : hint ? `${id}-hint` : undefined,
})

/** One invalid field: its path (`milestones.1.amount`), its name in words, what is wrong. */
interface ListedError {
  field: string
  label?: string
  message: string
}

/** Every invalid field the server listed (`errors: [{ field, label, message }]`), else its one `field`. */
export function fieldErrorsOf(error: unknown, codeFields: Record<string, string> = {}): ListedError[] {
  if (!(error instanceof ApiError)) return []
  const listed = error.details.errors
  if (Array.isArray(listed) && listed.length > 0)
    return listed.filter((e): e is ListedError => typeof e?.field === 'string' && typeof e?.message === 'string')
  const field = fieldOf(error, codeFields)
  return field ? [{ field, message: errorText(error) }] : []
}

const about = (field: string, name: string) => field === name || field.startsWith(`${name}.`)
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/**
 * The form's error when it is not about the fields shown (those show theirs beside them):
 * with every problem beside its field, it says how many fields to correct.
 */
export function FormError({
  error,
  fields = [],
  codeFields = {},
}: {
  error: unknown
  fields?: string[]
  codeFields?: Record<string, string>
}) {
  if (!error) return null
  const listed = fieldErrorsOf(error, codeFields)
  const elsewhere = listed.filter((e) => !fields.some((f) => about(e.field, f)))
  const text =
    listed.length > 0 && elsewhere.length === 0
      ? listed.length === 1
        ? null
        : `Correct the ${listed.length} fields marked above.`
      : elsewhere.length > 1
        ? elsewhere.map((e) => `${e.label ?? fieldInWords(e.field)} ${e.message}`).join('; ')
        : errorText(error)
  if (!text) return null
  return (
    <p class="form-error" role="alert">
      {text}
    </p>
  )
}

/** The message for `name` when the error is about it (each field its own, in words). */
export function errorFor(error: unknown, name: string, codeFields: Record<string, string> = {}): string | null {
  const entry = fieldErrorsOf(error, codeFields).find((e) => about(e.field, name))
  if (!entry) return null
  return error instanceof ApiError && Array.isArray(error.details.errors) ? sentence(entry.message) : errorText(error)
}

interface InputProps {
  type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'datetime-local' | 'search' | 'url'
  autoComplete?: string
  required?: boolean
  maxLength?: number
  min?: number | string
  max?: number | string
  step?: number | string
  placeholder?: string
  disabled?: boolean
}

export function TextField(
  props: {
    id: string
    label: ComponentChildren
    value: string
    onValue(value: string): void
    error?: string | null
    hint?: ComponentChildren
  } & InputProps,
) {
  const { id, label, value, onValue, error, hint, type = 'text', ...rest } = props
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {/* One input for all these types: the union of typed <input> variants cannot express that. */}
      <input
        id={id}
        name={id}
        type={type as 'text'}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        {...describedBy(id, error, hint)}
        {...rest}
      />
    </Field>
  )
}

export function TextArea(props: {
  id: string
  label: ComponentChildren
  value: string
  onValue(value: string): void
  error?: string | null
  hint?: ComponentChildren
  rows?: number
  required?: boolean
  maxLength?: number
  placeholder?: string
}) {
  const { id, label, value, onValue, error, hint, rows = 5, ...rest } = props
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <textarea
        id={id}
        name={id}
        rows={rows}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        {...describedBy(id, error, hint)}
        {...rest}
      />
    </Field>
  )
}

export function SelectField<V extends string>(props: {
  id: string
  label: ComponentChildren
  value: V
  onValue(value: NoInfer<V>): void
  options: Array<{ value: NoInfer<V>; label: string }>
  error?: string | null
}) {
  const { id, label, value, onValue, options, error } = props
  return (
    <Field id={id} label={label} error={error}>
      <select
        id={id}
        name={id}
        value={value}
        onChange={(e) => onValue(e.currentTarget.value as V)}
        {...describedBy(id, error)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  )
}

/**
 * An amount typed in the currency's major units ("1,250.50"), held as the text typed; use
 * `moneyValue` to read minor units. Shows its own error for text that is not an amount.
 */
export function MoneyField(props: {
  id: string
  label: ComponentChildren
  currency: string
  value: string
  onValue(value: string): void
  error?: string | null
  hint?: ComponentChildren
  required?: boolean
}) {
  const { id, label, currency, value, onValue, error, hint, required } = props
  const local =
    value.trim() && parseMoney(value, currency) === null
      ? `Enter an amount like ${minorToDecimal(125050, currency)}`
      : null
  const shown = error ?? local
  return (
    <Field
      id={id}
      label={
        <>
          {label} <span class="muted">({currency})</span>
        </>
      }
      error={shown}
      hint={hint}
    >
      <input
        id={id}
        name={id}
        inputMode="decimal"
        autoComplete="off"
        value={value}
        required={required}
        pattern={currencyDigits(currency) ? '[0-9,]*([.][0-9]*)?' : '[0-9,]*'}
        onInput={(e) => onValue(e.currentTarget.value)}
        {...describedBy(id, shown, hint)}
      />
    </Field>
  )
}

export const moneyValue = (text: string, currency: string): number | undefined => {
  const value = parseMoney(text, currency)
  return value === null ? undefined : value
}

export const moneyText = (amount: number | null | undefined, currency: string) =>
  amount === null || amount === undefined ? '' : minorToDecimal(amount, currency)

export function Checkbox(props: {
  id: string
  label: ComponentChildren
  checked: boolean
  onValue(value: boolean): void
  disabled?: boolean
}) {
  return (
    <div class="field field--check">
      <input
        type="checkbox"
        id={props.id}
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onValue(e.currentTarget.checked)}
      />
      <label for={props.id}>{props.label}</label>
    </div>
  )
}

export function SubmitButton({
  busy,
  children,
  disabled,
  variant = 'primary',
}: {
  busy: boolean
  children: ComponentChildren
  disabled?: boolean
  /** `danger` for what cannot be taken back, `plain` for a secondary action. */
  variant?: 'primary' | 'danger' | 'plain'
}) {
  const look = variant === 'plain' ? 'button' : `button button--${variant}`
  return (
    <button type="submit" class={look} disabled={busy || disabled} aria-busy={busy}>
      {busy ? 'Working…' : children}
    </button>
  )
}
