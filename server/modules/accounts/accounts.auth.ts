import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import type { AuthMode } from '../../http/auth.js'
import { httpErrors } from '../../http/errors.js'
import type { AccountsService, AuthenticatedSession } from './accounts.service.js'

export const SESSION_COOKIE = 'wr_session'

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's live session; set on routes whose auth mode is not `none`. */
    session: AuthenticatedSession | null
    /** How the caller authenticated; cookie-authenticated writes must come from an allowed Origin. */
    authVia: 'bearer' | 'cookie' | null
  }
}

export function tokenFromRequest(request: FastifyRequest): { token: string; via: 'bearer' | 'cookie' } | null {
  const header = request.headers.authorization
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    return match?.[1] ? { token: match[1], via: 'bearer' } : null
  }
  const cookie = request.cookies?.[SESSION_COOKIE]
  return cookie ? { token: cookie, via: 'cookie' } : null
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Whether a browser request comes from the site itself: its `Origin` is allowed, or the
 * browser says so (`Sec-Fetch-Site: same-origin`). A request with neither is refused when it
 * rides on the session cookie: a browser always sends one of them with a form or a fetch.
 */
export function fromAllowedOrigin(request: FastifyRequest, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin
  if (origin !== undefined && allowedOrigins.includes(origin)) return true
  return request.headers['sec-fetch-site'] === 'same-origin'
}

/** Resolves the caller on every request by the route's auth mode. */
export const authHook = fp<{ accounts: Pick<AccountsService, 'authenticate'>; allowedOrigins: readonly string[] }>(
  async (app, { accounts, allowedOrigins }) => {
    app.decorateRequest('session', null)
    app.decorateRequest('authVia', null)
    app.addHook('onRequest', async (request) => {
      const route = request.routeOptions
      if (!route.url) return // unmatched: the 404 handler answers
      const mode: AuthMode = route.config.auth ?? (route.url.startsWith('/api/') ? 'required' : 'none')
      if (mode === 'none') return
      const credentials = tokenFromRequest(request)
      const session = credentials ? await accounts.authenticate(credentials.token) : null
      if (session && credentials) {
        // SameSite=Lax already keeps cross-site POSTs cookie-less; this is the second lock.
        if (
          credentials.via === 'cookie' &&
          unsafeMethods.has(request.method) &&
          !fromAllowedOrigin(request, allowedOrigins)
        ) {
          throw httpErrors.badOrigin()
        }
        request.session = session
        request.authVia = credentials.via
      }
      if (mode === 'optional') return
      if (!request.session) throw httpErrors.unauthorized()
      if (mode === 'operator' && request.session.user.role !== 'operator') throw httpErrors.forbidden('Operators only')
    })
  },
  { name: 'auth-hook' },
)

/** The session of a route whose auth mode guarantees one. */
export function requireSession(request: FastifyRequest): AuthenticatedSession {
  if (!request.session) throw httpErrors.unauthorized()
  return request.session
}
