import { randomBytes } from 'node:crypto'
import { createBatcher } from '../../batch.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Signer } from '../../signing.js'
import type { AccountsRepository } from './accounts.repository.js'
import { hashToken, type AuthenticatedSession } from './accounts.service.js'

export const TICKET_TTL_MS = 60_000
const PURPOSE = 'realtime-ticket'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Single-use tickets (valid 60 s) that open one WebSocket for a session, for browsers, which
 * cannot set headers on a WebSocket. A ticket is signed (the session and a random nonce), so
 * issuing one writes nothing; redeeming it records its nonce in `realtime_tickets` (unique),
 * checks the session is live and loads its user: a second use, a forged or expired ticket, or a
 * session that ended since is refused. Tickets redeemed at the same time (a crowd of clients
 * reconnecting) are redeemed together, in two statements per batch (server/batch.ts).
 * Instances verify each other's tickets with the shared SECRET_KEY (which mail links already need).
 */
export function createRealtimeTickets(deps: {
  signer: Pick<Signer, 'sign' | 'verify'>
  repository: Pick<AccountsRepository, 'redeemTickets'>
  clock: Clock
  ids: IdGenerator
}) {
  const { signer, repository, clock, ids } = deps
  const redeemOne = createBatcher((tickets: Parameters<AccountsRepository['redeemTickets']>[0]) =>
    repository.redeemTickets(tickets),
  )
  return {
    issue(session: Pick<AuthenticatedSession, 'sessionId'>): { ticket: string; expiresAt: Date } {
      const expiresAt = new Date(clock.now().getTime() + TICKET_TTL_MS)
      const ticket = signer.sign(PURPOSE, { s: session.sessionId, n: randomBytes(16).toString('base64url') }, expiresAt)
      return { ticket, expiresAt }
    },

    /** The session behind a ticket, consuming it; null if forged, used, expired or the session ended. */
    async redeem(ticket: string): Promise<AuthenticatedSession | null> {
      if (!ticket || ticket.length > 200) return null
      const payload = signer.verify<{ s?: unknown; n?: unknown }>(PURPOSE, ticket)
      if (!payload || typeof payload.s !== 'string' || !UUID.test(payload.s) || typeof payload.n !== 'string')
        return null
      // Single use is keyed on the nonce, not the token's text: a signature has more than one
      // base64url spelling.
      return redeemOne({
        id: ids.newId(),
        nonceHash: hashToken(payload.n),
        sessionId: payload.s,
        expiresAt: new Date(clock.now().getTime() + TICKET_TTL_MS),
        now: clock.now(),
      })
    },
  }
}

export type RealtimeTickets = ReturnType<typeof createRealtimeTickets>
