import type { ComponentChildren } from 'preact'
import type { Loaded } from '../lib/load.js'
import { ApiError } from '../lib/api.js'
import { errorText } from './forms.js'

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="state state--loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label}
    </div>
  )
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state state--empty">{children}</div>
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const notFound = error instanceof ApiError && (error.status === 404 || error.status === 403)
  const signIn = error instanceof ApiError && error.status === 401
  return (
    <div class="state state--error" role="alert">
      <p>
        {notFound ? 'Not found, or you do not have access to it.' : signIn ? 'Sign in to see this.' : errorText(error)}
      </p>
      {signIn && (
        <a class="button" href={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`}>
          Sign in
        </a>
      )}
      {retry && !notFound && !signIn && (
        <button type="button" class="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  )
}

/** Loading, error or the content, for one loaded resource. */
export function Async<T>({
  state,
  children,
  label,
}: {
  state: Loaded<T>
  children: (data: T) => ComponentChildren
  label?: string
}) {
  if (state.data !== undefined) return <>{children(state.data)}</>
  if (state.error) return <ErrorState error={state.error} retry={() => void state.reload()} />
  return <Loading label={label} />
}

export function Progress({ loaded, total, label }: { loaded: number; total: number; label: string }) {
  const percent = total ? Math.round((loaded / total) * 100) : 0
  return (
    <div class="progress">
      <progress max={100} value={percent} aria-label={label} />
      <span class="muted">
        {label} {percent}%
      </span>
    </div>
  )
}

export function Badge({ children, tone }: { children: ComponentChildren; tone?: 'ok' | 'warn' | 'bad' | 'info' }) {
  return <span class={`badge${tone ? ` badge--${tone}` : ''}`}>{children}</span>
}

const tones: Record<string, 'ok' | 'warn' | 'bad' | 'info'> = {
  open: 'ok',
  active: 'ok',
  hired: 'ok',
  approved: 'ok',
  released: 'ok',
  paid: 'ok',
  confirmed: 'ok',
  funded: 'info',
  submitted: 'info',
  shortlisted: 'info',
  offered: 'info',
  formal: 'info',
  pending: 'warn',
  draft: 'warn',
  paused: 'warn',
  ending: 'warn',
  changes_requested: 'warn',
  disputed: 'bad',
  declined: 'bad',
  cancelled: 'bad',
  rejected: 'bad',
  void: 'bad',
  expired: 'bad',
}

export function StateBadge({ state }: { state: string }) {
  return <Badge tone={tones[state]}>{state.replace(/_/g, ' ')}</Badge>
}
