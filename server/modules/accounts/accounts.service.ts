import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../../clock.js'
import { DAY, MINUTE } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Bus } from '../../plugins/bus.js'
import { accountErrors } from './accounts.errors.js'
import { decoyHash, hashPassword, verifyPassword } from './accounts.passwords.js'
import type { AccountsRepository, ProfileChanges, UserRow } from './accounts.repository.js'
import type { SessionMeta } from './accounts.sessions.js'
import { createSessionCache, sessionKey } from './accounts.session-cache.js'

export interface AuthenticatedSession {
  sessionId: string
  user: UserRow
}

/** Published on the bus when a session ends, so every instance closes its sockets. */
export const SESSION_REVOKED_TOPIC = 'session.revoked'
export interface SessionRevokedMessage {
  sessionId: string
  userId: string
}

/** Published on the bus when a user's row changes (profile, role...), so every instance drops its cached copy. */
export const USER_CHANGED_TOPIC = 'user.changed'

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}

export function createAccountsService(deps: {
  repository: AccountsRepository
  clock: Clock
  ids: IdGenerator
  bus: Pick<Bus, 'publish'>
  settings: { sessionTtlDays: number; loginMaxFailures: number; loginWindowMinutes: number }
  /** How long a looked-up session is trusted in this process (0: ask the database every time). */
  sessionCacheTtlMs?: number
}) {
  const { repository, clock, ids, bus, settings } = deps
  const sessionCache = createSessionCache({ ttlMs: deps.sessionCacheTtlMs })

  /**
   * Ends sessions of a user: one (`sessionId`: logout, "sign out that device"), all but one
   * (`exceptSessionId`: after a password or 2FA change, keeping the caller's), or all (a
   * password reset). The one way to end a session: revoked in the database, dropped from this
   * instance's session cache, then every instance is told through the bus to drop it from its
   * cache and close its sockets. Call it after (not inside) the transaction that caused it.
   * Returns the ids revoked.
   */
  async function revokeSessions(
    userId: string,
    which: { sessionId?: string; exceptSessionId?: string } = {},
  ): Promise<string[]> {
    const revoked = await repository.revokeSessions(userId, which, clock.now())
    for (const sessionId of revoked) {
      sessionCache.dropSession(sessionId)
      const message: SessionRevokedMessage = { sessionId, userId }
      // Revoked in the database already; if the bus is down, other instances close this
      // session's sockets and drop their cache when it is back (they re-check then).
      await bus.publish(SESSION_REVOKED_TOPIC, message).catch(() => {})
    }
    return revoked
  }

  /** A user's row changed: cached sessions carry it, so every instance drops them. */
  async function userChanged(userId: string): Promise<void> {
    sessionCache.dropUser(userId)
    await bus.publish(USER_CHANGED_TOPIC, { userId }).catch(() => {})
  }

  async function startSession(userId: string, meta: SessionMeta = {}): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url')
    const now = clock.now()
    const expiresAt = new Date(now.getTime() + settings.sessionTtlDays * DAY)
    await repository.insertSession({
      id: ids.newId(),
      userId,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ip: meta.ip?.slice(0, 64) ?? null,
      lastSeenAt: now,
    })
    return { token, expiresAt }
  }

  async function createUser(input: { email: string; password: string; name: string; role: 'user' | 'operator' }) {
    const now = clock.now()
    const user = await repository.insertUser({
      id: ids.newId(),
      email: normalizeEmail(input.email),
      passwordHash: await hashPassword(input.password),
      name: input.name.trim(),
      role: input.role,
      createdAt: now,
      updatedAt: now,
    })
    if (!user) throw accountErrors.emailTaken()
    return user
  }

  return {
    /** Public registration: always an ordinary user, whatever the caller sends. */
    async register(input: { email: string; password: string; name: string }, meta: SessionMeta = {}) {
      const user = await createUser({ ...input, role: 'user' })
      return { user, ...(await startSession(user.id, meta)) }
    },

    /** The user behind an email and password (throttled per email), or 401/429; no session yet. */
    async checkPassword(input: { email: string; password: string }): Promise<UserRow> {
      const email = normalizeEmail(input.email)
      const now = clock.now()
      const since = new Date(now.getTime() - settings.loginWindowMinutes * MINUTE)
      const failures = await repository.countRecentFailures(email, since)
      if (failures >= settings.loginMaxFailures) {
        throw accountErrors.throttled(undefined, { retryAfter: settings.loginWindowMinutes * 60 })
      }
      const user = await repository.findUserByEmail(email)
      const ok = await verifyPassword(user?.passwordHash ?? decoyHash, input.password)
      if (!user || !ok) {
        await repository.recordFailure({ id: ids.newId(), email, at: now })
        throw accountErrors.badCredentials()
      }
      return user
    },

    /** A new session (the sign-in's last step); `meta` is what the session list shows. */
    startSession,

    async logout(session: AuthenticatedSession): Promise<void> {
      await revokeSessions(session.user.id, { sessionId: session.sessionId })
    },

    revokeSessions,

    /** The live session behind a token, or null (unknown, expired or revoked). */
    async authenticate(token: string): Promise<AuthenticatedSession | null> {
      if (!token || token.length > 200) return null
      const tokenHash = hashToken(token)
      const now = clock.now()
      const cached = sessionCache.get(tokenHash, now.getTime())
      if (cached) return cached
      const startedAt = sessionCache.generation()
      const found = await repository.findLiveSession(tokenHash, now)
      if (found) sessionCache.set(tokenHash, found, now.getTime(), startedAt)
      return found
    },

    /**
     * The live sessions among `sessionIds` (WebSocket tickets name their session), from the
     * session cache, and the rest in one query.
     */
    async liveSessionsById(sessionIds: readonly string[]): Promise<Map<string, AuthenticatedSession>> {
      const now = clock.now()
      const found = new Map<string, AuthenticatedSession>()
      const missing: string[] = []
      for (const id of new Set(sessionIds)) {
        const cached = sessionCache.get(sessionKey(id), now.getTime())
        if (cached) found.set(id, cached)
        else missing.push(id)
      }
      if (missing.length === 0) return found
      const startedAt = sessionCache.generation()
      for (const row of await repository.findLiveSessionsById(missing, now)) {
        found.set(row.sessionId, row)
        sessionCache.set(sessionKey(row.sessionId), row, now.getTime(), startedAt)
      }
      return found
    },

    /** Drops what this instance has cached about a user (another instance changed the user). */
    forgetCached(message: { sessionId?: string; userId?: string }): void {
      if (message.sessionId) sessionCache.dropSession(message.sessionId)
      else if (message.userId) sessionCache.dropUser(message.userId)
    },

    /** The bus was down: what it did not carry may have left stale sessions here. */
    forgetAllCached(): void {
      sessionCache.clear()
    },

    async updateProfile(userId: string, changes: ProfileChanges): Promise<UserRow> {
      if (changes.timeZone !== undefined && !isKnownTimeZone(changes.timeZone)) throw accountErrors.invalidTimeZone()
      const clean: ProfileChanges = { ...changes }
      if (clean.name !== undefined) clean.name = clean.name.trim()
      if (clean.skills) clean.skills = [...new Set(clean.skills.map((s) => s.trim().toLowerCase()).filter(Boolean))]
      const user = await repository.updateUser(userId, { ...clean, updatedAt: clock.now() })
      if (!user) throw accountErrors.userNotFound()
      await userChanged(userId)
      return user
    },

    async getUser(id: string): Promise<UserRow> {
      const user = await repository.findUserById(id)
      if (!user) throw accountErrors.userNotFound()
      return user
    },

    /** Operators are made only from the command line (`npm run admin:create`). */
    async createOperator(input: { email: string; password: string; name: string }): Promise<UserRow> {
      const existing = await repository.findUserByEmail(normalizeEmail(input.email))
      if (existing) {
        await repository.setRole(existing.id, 'operator')
        await userChanged(existing.id)
        return { ...existing, role: 'operator' }
      }
      return createUser({ ...input, role: 'operator' })
    },
  }
}

export type AccountsService = ReturnType<typeof createAccountsService>
