import type { UserRow } from './accounts.repository.js'

/** How long a looked-up session is trusted without asking the database again. */
export const SESSION_CACHE_TTL_MS = 5_000
const MAX_ENTRIES = 10_000

export interface CachedSession {
  sessionId: string
  user: UserRow
  /** When the session itself expires: a cached entry never outlives it. */
  expiresAt: Date
}

/**
 * A short-lived, in-process cache of live sessions by token hash (HTTP requests) or by
 * session id (WebSocket tickets, under `sessionKey(id)`), so an authenticated
 * request costs one database round trip (its own query) instead of two. Every revocation
 * and every change to a user drops the matching entries here and, through the bus, on every
 * other instance (`accounts.revokeSessions`); when the bus was down, the whole cache is
 * dropped when it is back. The TTL bounds what a lost bus message could leave behind.
 *
 * A lookup that started before an invalidation is not stored (the generation moved), so a
 * revocation racing a request cannot leave the revoked session cached.
 */
export function createSessionCache(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const ttlMs = options.ttlMs ?? SESSION_CACHE_TTL_MS
  const maxEntries = options.maxEntries ?? MAX_ENTRIES
  const entries = new Map<string, { session: CachedSession; until: number }>()
  let generation = 0

  function dropWhere(match: (session: CachedSession) => boolean) {
    generation++
    for (const [key, entry] of entries) if (match(entry.session)) entries.delete(key)
  }

  return {
    /** The cached live session for a key (a token hash, or `sessionKey(id)`) at `nowMs`, or undefined (ask the database). */
    get(key: string, nowMs: number): CachedSession | undefined {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.until <= nowMs || entry.session.expiresAt.getTime() <= nowMs) {
        entries.delete(key)
        return undefined
      }
      return entry.session
    },
    /** Marks the start of a database lookup; pass the result to `set`. */
    generation: () => generation,
    set(key: string, session: CachedSession, nowMs: number, startedAt: number): void {
      if (startedAt !== generation || ttlMs <= 0) return
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next()
        if (!oldest.done) entries.delete(oldest.value)
      }
      entries.set(key, { session, until: nowMs + ttlMs })
    },
    dropSession(sessionId: string): void {
      dropWhere((session) => session.sessionId === sessionId)
    },
    dropUser(userId: string): void {
      dropWhere((session) => session.user.id === userId)
    },
    clear(): void {
      generation++
      entries.clear()
    },
    get size() {
      return entries.size
    },
  }
}

/** The cache key of a session looked up by its id (token hashes are hex, so the two never meet). */
export const sessionKey = (sessionId: string) => `session:${sessionId}`

export type SessionCache = ReturnType<typeof createSessionCache>
