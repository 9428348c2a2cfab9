import { useRef } from 'preact/hooks'
import { idempotencyKey } from '../../../sdk/api.js'
import { ApiError } from './api.js'

/** The header of one attempt at a money-moving request. */
export type IdempotencyHeader = { 'idempotency-key': string }

/** The server answered, so the attempt is over: 2xx or 4xx (its 4xx answers are stored under the key too). */
const answered = (err: unknown) => err instanceof ApiError && err.status < 500 && err.code !== 'idempotency.in_progress'

/**
 * Sends one money-moving action with the right Idempotency-Key for each user attempt. A retry
 * of the same request (same `request` value: target and body) whose outcome is unknown (no
 * answer, a 5xx, or "still running") reuses the last key, so it can never happen twice;
 * anything else is a new attempt with a fresh key: a changed body (a smaller partial release
 * after a validation error) or the same body after the server answered (the server replays a
 * stored answer for a reused key, and refuses a reused key with another body).
 */
export function useIdempotentSend() {
  const last = useRef<{ request: string; key: string } | null>(null)
  return async function send<T>(request: unknown, call: (header: IdempotencyHeader) => Promise<T>): Promise<T> {
    const fingerprint = JSON.stringify(request ?? null)
    if (last.current?.request !== fingerprint) last.current = { request: fingerprint, key: idempotencyKey() }
    const attempt = last.current
    const over = () => {
      if (last.current === attempt) last.current = null
    }
    try {
      const result = await call({ 'idempotency-key': attempt.key })
      over()
      return result
    } catch (err) {
      if (answered(err)) over()
      throw err
    }
  }
}

/** What `useIdempotentSend` returns. */
export type IdempotentSend = ReturnType<typeof useIdempotentSend>
