import type { FastifyRequest } from 'fastify'

// How a request proves who sends it, as routes and plugins see it. The accounts module
// implements both halves (its hook enforces `config.auth`, it builds the upgrade
// authenticator); the infrastructure only declares what it needs, so it never imports a module.

/** How a route authenticates: under /api/ the default is `required`, elsewhere `none`. */
export type AuthMode = 'none' | 'optional' | 'required' | 'operator'

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode
  }
}

/** The least a WebSocket endpoint needs to know about whoever opened it. */
export interface UpgradeSession {
  sessionId: string
  user: { id: string }
}

export type UpgradeAuthResult<S extends UpgradeSession = UpgradeSession> =
  { ok: true; session: S } | { ok: false; reason: 'origin' | 'unauthenticated' }

/** Authenticates a WebSocket upgrade: the Origin, then a ticket, the session cookie or a bearer header. */
export type UpgradeAuthenticator<S extends UpgradeSession = UpgradeSession> = (
  request: FastifyRequest,
) => Promise<UpgradeAuthResult<S>>
