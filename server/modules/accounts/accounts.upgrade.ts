import type { FastifyRequest } from 'fastify'
import type { UpgradeAuthenticator, UpgradeAuthResult } from '../../http/auth.js'
import { fromAllowedOrigin, tokenFromRequest } from './accounts.auth.js'
import type { AccountsService, AuthenticatedSession } from './accounts.service.js'
import type { RealtimeTickets } from './accounts.tickets.js'

/**
 * Authenticates a WebSocket upgrade, for the event stream and the document endpoint alike:
 * the Origin (when a browser sends one) must be allowed; then a `?ticket=` (single use,
 * 60 s), or the session cookie (only with an allowed Origin or `Sec-Fetch-Site: same-origin`),
 * or an `Authorization: Bearer` header (non-browser clients).
 */
export function createUpgradeAuthenticator(deps: {
  accounts: Pick<AccountsService, 'authenticate'>
  tickets: Pick<RealtimeTickets, 'redeem'>
  allowedOrigins: readonly string[]
}): UpgradeAuthenticator<AuthenticatedSession> {
  return async function authenticateUpgrade(request: FastifyRequest): Promise<UpgradeAuthResult<AuthenticatedSession>> {
    const origin = request.headers.origin
    if (origin !== undefined && !deps.allowedOrigins.includes(origin)) return { ok: false, reason: 'origin' }
    const query = request.query as Record<string, unknown> | undefined
    const ticket = typeof query?.ticket === 'string' ? query.ticket : undefined
    let session: AuthenticatedSession | null
    if (ticket) {
      session = await deps.tickets.redeem(ticket)
    } else {
      const credentials = tokenFromRequest(request)
      // The cookie rides along with any page's request: without a ticket, the page must be ours.
      if (credentials?.via === 'cookie' && !fromAllowedOrigin(request, deps.allowedOrigins))
        return { ok: false, reason: 'origin' }
      session = credentials ? await deps.accounts.authenticate(credentials.token) : null
    }
    return session ? { ok: true, session } : { ok: false, reason: 'unauthenticated' }
  }
}
