import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../../clock.js'
import { DAY, MINUTE } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Bus } from '../../plugins/bus.js'
import { accountErrors } from './accounts.errors.js'
import { decoyHash, hashPassword, verifyPassword } from './accounts.passwords.js'
import type { AccountsRepository, ProfileChanges, UserRow } from './accounts.repository.js'

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

export const TICKET_TTL_MS = 60_000

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
}) {
  const { repository, clock, ids, bus, settings } = deps

  async function startSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url')
    const now = clock.now()
    const expiresAt = new Date(now.getTime() + settings.sessionTtlDays * DAY)
    await repository.insertSession({ id: ids.newId(), userId, tokenHash: hashToken(token), createdAt: now, expiresAt })
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
    async register(input: { email: string; password: string; name: string }) {
      const user = await createUser({ ...input, role: 'user' })
      return { user, ...(await startSession(user.id)) }
    },

    async login(input: { email: string; password: string }) {
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
      return { user, ...(await startSession(user.id)) }
    },

    async logout(session: AuthenticatedSession): Promise<void> {
      await repository.revokeSession(session.sessionId, clock.now())
      const message: SessionRevokedMessage = { sessionId: session.sessionId, userId: session.user.id }
      // Revoked in the database already; if the bus is down, other instances close this
      // session's sockets when it is back (they re-check their sessions then).
      await bus.publish(SESSION_REVOKED_TOPIC, message).catch(() => {})
    },

    /** The live session behind a token, or null (unknown, expired or revoked). */
    async authenticate(token: string): Promise<AuthenticatedSession | null> {
      if (!token || token.length > 200) return null
      return repository.findLiveSession(hashToken(token), clock.now())
    },

    async updateProfile(userId: string, changes: ProfileChanges): Promise<UserRow> {
      if (changes.timeZone !== undefined && !isKnownTimeZone(changes.timeZone)) throw accountErrors.invalidTimeZone()
      const clean: ProfileChanges = { ...changes }
      if (clean.name !== undefined) clean.name = clean.name.trim()
      if (clean.skills) clean.skills = [...new Set(clean.skills.map((s) => s.trim().toLowerCase()).filter(Boolean))]
      const user = await repository.updateUser(userId, { ...clean, updatedAt: clock.now() })
      if (!user) throw accountErrors.userNotFound()
      return user
    },

    async getUser(id: string): Promise<UserRow> {
      const user = await repository.findUserById(id)
      if (!user) throw accountErrors.userNotFound()
      return user
    },

    /** A single-use ticket, valid 60 s, that opens one WebSocket for this session. */
    async issueTicket(session: AuthenticatedSession): Promise<{ ticket: string; expiresAt: Date }> {
      const ticket = randomBytes(24).toString('base64url')
      const expiresAt = new Date(clock.now().getTime() + TICKET_TTL_MS)
      await repository.insertTicket({
        id: ids.newId(),
        tokenHash: hashToken(ticket),
        sessionId: session.sessionId,
        expiresAt,
      })
      return { ticket, expiresAt }
    },

    /** The session behind a ticket, consuming it; null if unknown, used, expired or the session ended. */
    async redeemTicket(ticket: string): Promise<AuthenticatedSession | null> {
      if (!ticket || ticket.length > 200) return null
      const now = clock.now()
      const sessionId = await repository.consumeTicket(hashToken(ticket), now)
      return sessionId ? repository.findLiveSessionById(sessionId, now) : null
    },

    /** Operators are made only from the command line (`npm run admin:create`). */
    async createOperator(input: { email: string; password: string; name: string }): Promise<UserRow> {
      const existing = await repository.findUserByEmail(normalizeEmail(input.email))
      if (existing) {
        await repository.setRole(existing.id, 'operator')
        return { ...existing, role: 'operator' }
      }
      return createUser({ ...input, role: 'operator' })
    },
  }
}

export type AccountsService = ReturnType<typeof createAccountsService>
