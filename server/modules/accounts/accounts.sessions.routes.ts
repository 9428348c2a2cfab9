import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../clock.js'
import { ErrorBody } from '../../http/schemas.js'
import { requireSession, SESSION_COOKIE } from './accounts.auth.js'
import type { AccountsService } from './accounts.service.js'
import { describeUserAgent, LAST_SEEN_EVERY_MS, type SessionsRepository } from './accounts.sessions.js'
import { twoFactorErrors } from './accounts.twofactor.errors.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody }

export const SessionDto = Type.Object({
  id: Type.String(),
  current: Type.Boolean({ description: 'The session this request came with' }),
  device: Type.String({ description: 'The browser and system in words, e.g. "Firefox 128 on Linux"' }),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time', description: 'To the minute' }),
  expiresAt: Type.String({ format: 'date-time' }),
})

/** The caller's signed-in sessions, and signing one of them out. */
export const sessionsRoutes: FastifyPluginAsyncTypebox<{
  accounts: AccountsService
  repository: SessionsRepository
  clock: Clock
}> = async (app, { accounts, repository, clock }) => {
  app.get(
    '/api/v1/me/sessions',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Your signed-in sessions (this one marked `current`)',
        response: { 200: Type.Object({ sessions: Type.Array(SessionDto) }), ...errors },
      },
    },
    async (request) => {
      const session = requireSession(request)
      const rows = await repository.listLive(session.user.id, clock.now())
      return {
        sessions: rows.map((row) => ({
          id: row.id,
          current: row.id === session.sessionId,
          device: describeUserAgent(row.userAgent),
          userAgent: row.userAgent,
          ip: row.ip,
          createdAt: row.createdAt.toISOString(),
          lastSeenAt: (row.lastSeenAt ?? row.createdAt).toISOString(),
          expiresAt: row.expiresAt.toISOString(),
        })),
      }
    },
  )

  app.delete(
    '/api/v1/me/sessions/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign a session out: its next request is 401 and its live sockets close',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const session = requireSession(request)
      const revoked = await accounts.revokeSessions(session.user.id, { sessionId: request.params.id })
      if (!revoked.length) throw twoFactorErrors.sessionNotFound()
      if (request.params.id === session.sessionId) reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.status(204).send(null)
    },
  )
}

/**
 * Keeps each session's last-seen time, at most once a minute per session and instance,
 * after the answer is sent (a request never waits for it).
 */
export function trackLastSeen(app: FastifyInstance, repository: SessionsRepository, clock: Clock): void {
  const touched = new Map<string, number>()
  app.addHook('onResponse', async (request) => {
    const sessionId = request.session?.sessionId
    if (!sessionId) return
    const now = clock.now()
    const last = touched.get(sessionId)
    if (last !== undefined && now.getTime() - last < LAST_SEEN_EVERY_MS) return
    if (touched.size > 50_000) touched.clear()
    touched.set(sessionId, now.getTime())
    await repository
      .touch(sessionId, now)
      .catch((err: unknown) => request.log.warn({ err }, 'could not mark the session seen'))
  })
}
