import { randomBytes } from 'node:crypto'
import { createBatcher } from '../../batch.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Signer } from '../../signing.js'
import type { AccountsRepository } from './accounts.repository.js'
import { hashToken, type AuthenticatedSession } from './accounts.service.js'

export const TICKET_TTL_MS = 60_000
/** The longest ticket a socket URL may carry (a ticket is about 194 characters). */
export const TICKET_MAX_LENGTH = 256
const PURPOSE = 'realtime-ticket'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Single-use tickets (valid 60 s) that open one WebSocket for a session, for browsers, which
 * cannot set headers on a WebSocket. A ticket is signed (the session, a random nonce and the
 * issuing process), so issuing one writes nothing. Redeeming it records its nonce, then checks
 * that the session is live and loads its user (through the session cache, like an HTTP request):
 * a second use, a forged or expired ticket, or a session that ended since is refused.
 *
 * Where the nonces are recorded (`usedNonces`):
 * - `database`: in `realtime_tickets` (unique), which several instances share; they verify each
 *   other's tickets with the shared SECRET_KEY (which mail links already need).
 * - `memory`: in this process, for PGlite, whose data only one process can open. A restart
 *   forgets them, so a ticket is then only good in the process that issued it (the payload
 *   names it): one issued before a restart is refused, and the client fetches another, as it
 *   does for an expired one. This saves a write on every connection.
 *
 * Tickets redeemed at the same time (a crowd of clients reconnecting) are redeemed together:
 * one statement for the nonces, one for the sessions not cached (server/batch.ts).
 */
export function createRealtimeTickets(deps: {
  signer: Pick<Signer, 'sign' | 'verify'>
  repository: Pick<AccountsRepository, 'recordTickets'>
  sessions: { liveSessionsById(sessionIds: readonly string[]): Promise<Map<string, AuthenticatedSession>> }
  clock: Clock
  ids: IdGenerator
  usedNonces: 'database' | 'memory'
}) {
  const { signer, repository, sessions, clock, ids, usedNonces } = deps
  /** This process, in every ticket it issues (checked in `memory` mode only). */
  const issuer = randomBytes(6).toString('base64url')
  // Nonces (16 random bytes) cut from a pool drawn 4 KiB at a time, as Node does for UUIDs:
  // asking the system for 16 bytes per ticket was 1% of the server's CPU in a crowd.
  let pool = Buffer.alloc(0)
  let taken = 0
  const nonce = () => {
    if (taken + 16 > pool.length) {
      pool = randomBytes(4096)
      taken = 0
    }
    taken += 16
    return pool.subarray(taken - 16, taken).toString('base64url')
  }
  /** `memory` mode: used nonces, until twice a ticket's life after their use, oldest first. */
  const used = new Map<string, number>()

  type Redemption = { id: string; nonceHash: string; sessionId: string; expiresAt: Date; now: Date }
  function recordInMemory(tickets: Redemption[]): boolean[] {
    const now = clock.now().getTime()
    for (const [nonce, until] of used) {
      if (until > now) break
      used.delete(nonce)
    }
    return tickets.map((t) => {
      if (used.has(t.nonceHash)) return false
      used.set(t.nonceHash, t.expiresAt.getTime())
      return true
    })
  }

  const redeemOne = createBatcher(async (tickets: Redemption[]) => {
    const fresh = usedNonces === 'memory' ? recordInMemory(tickets) : await repository.recordTickets(tickets)
    const live = await sessions.liveSessionsById(tickets.filter((_, i) => fresh[i]).map((t) => t.sessionId))
    return tickets.map((t, i) => (fresh[i] ? (live.get(t.sessionId) ?? null) : null))
  })
  return {
    issue(session: Pick<AuthenticatedSession, 'sessionId'>): { ticket: string; expiresAt: Date } {
      const expiresAt = new Date(clock.now().getTime() + TICKET_TTL_MS)
      const ticket = signer.sign(PURPOSE, { s: session.sessionId, n: nonce(), i: issuer }, expiresAt)
      return { ticket, expiresAt }
    },

    /** The session behind a ticket, consuming it; null if forged, used, expired or the session ended. */
    async redeem(ticket: string): Promise<AuthenticatedSession | null> {
      if (!ticket || ticket.length > TICKET_MAX_LENGTH) return null
      const payload = signer.verify<{ s?: unknown; n?: unknown; i?: unknown }>(PURPOSE, ticket)
      if (!payload || typeof payload.s !== 'string' || !UUID.test(payload.s) || typeof payload.n !== 'string')
        return null
      if (usedNonces === 'memory' && payload.i !== issuer) return null
      // Single use is keyed on the nonce, not the token's text: a signature has more than one
      // base64url spelling.
      return redeemOne({
        // The record's id (`database` only).
        id: usedNonces === 'database' ? ids.newId() : '',
        nonceHash: hashToken(payload.n),
        sessionId: payload.s,
        // Remembered twice as long as a ticket lives: its signature was checked now, its nonce
        // is recorded when its batch runs, a moment later; a replay in the ticket's last moment
        // must still find the nonce then.
        expiresAt: new Date(clock.now().getTime() + 2 * TICKET_TTL_MS),
        now: clock.now(),
      })
    },
  }
}

export type RealtimeTickets = ReturnType<typeof createRealtimeTickets>
