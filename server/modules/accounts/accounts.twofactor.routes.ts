import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../../http/errors.js'
import { ErrorBody } from '../../http/schemas.js'
import { requireSession, SESSION_COOKIE } from './accounts.auth.js'
import { toPrivateUser } from './accounts.routes.js'
import { AuthResponse } from './accounts.schemas.js'
import type { AccountsService } from './accounts.service.js'
import type { TwoFactorService } from './accounts.twofactor.js'
import { TwoFactorStatus } from './accounts.twofactor.schemas.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody }

const Code = Type.String({
  minLength: 6,
  maxLength: 40,
  description: 'The 6-digit code the authenticator app shows, or one of the recovery codes',
})

/** Two-factor sign-in (TOTP): status, setup, enable, disable, and the sign-in code step. */
export const twoFactorRoutes: FastifyPluginAsyncTypebox<{
  accounts: AccountsService
  twoFactor: TwoFactorService
  cookieSecure: boolean
  /** Wrong codes allowed per client IP over all accounts in the window (the per-account count is the service's). */
  codeFailures: { perIp: number; windowMs: number }
}> = async (app, { accounts, twoFactor, cookieSecure, codeFailures }) => {
  const failuresOfIp = app.rateBudget({
    name: 'two-factor-failures',
    max: codeFailures.perIp,
    windowMs: codeFailures.windowMs,
    keyOf: (request) => request.ip,
  })

  app.get(
    '/api/v1/me/2fa',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Whether two-factor sign-in is on, and how many recovery codes are unused',
        response: { 200: TwoFactorStatus, ...errors },
      },
    },
    async (request) => {
      const status = await twoFactor.status(requireSession(request).user.id)
      return { ...status, enabledAt: status.enabledAt?.toISOString() ?? null }
    },
  )

  app.post(
    '/api/v1/me/2fa/setup',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Start two-factor sign-in: a new secret to scan (on only after /enable)',
        response: {
          200: Type.Object({
            secret: Type.String({ description: 'Base32, for typing into the app by hand' }),
            uri: Type.String({ description: 'otpauth:// key URI' }),
            qr: Type.String({ description: 'The URI as a QR code: an SVG data URL' }),
          }),
          ...errors,
        },
      },
    },
    async (request) => twoFactor.setup(requireSession(request).user),
  )

  app.post(
    '/api/v1/me/2fa/enable',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Turn two-factor sign-in on with a code; answers the ten recovery codes, shown once',
        body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 10 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (request) => ({ recoveryCodes: await twoFactor.enable(requireSession(request), request.body.code) }),
  )

  const Reauthentication = Type.Object(
    { password: Type.String({ maxLength: 256 }), code: Code },
    { additionalProperties: false },
  )

  app.post(
    '/api/v1/me/2fa/recovery-codes',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Ten new recovery codes in place of the old ones (password and a code); shown once',
        body: Reauthentication,
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (request) => ({ recoveryCodes: await twoFactor.newRecoveryCodes(requireSession(request), request.body) }),
  )

  app.post(
    '/api/v1/me/2fa/disable',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Turn two-factor sign-in off (password and a code or recovery code)',
        body: Reauthentication,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await twoFactor.disable(requireSession(request), request.body)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/api/v1/sessions/2fa',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary: 'Second sign-in step: the challenge from /auth/login and a code or recovery code',
        body: Type.Object(
          { challenge: Type.String({ minLength: 1, maxLength: 200 }), code: Code },
          { additionalProperties: false },
        ),
        response: { 200: AuthResponse, ...errors },
      },
    },
    async (request, reply) => {
      await failuresOfIp.check(request, reply)
      const meta = { userAgent: request.headers['user-agent'] ?? null, ip: request.ip }
      const done = await twoFactor.completeSignIn(request.body, meta).catch(async (err: unknown) => {
        if (err instanceof AppError && err.code === 'accounts.bad_code') await failuresOfIp.count(request)
        if (err instanceof AppError && err.statusCode === 429) {
          void reply.header('ratelimit-limit', codeFailures.perIp)
          void reply.header('ratelimit-remaining', 0)
          void reply.header('ratelimit-reset', err.details?.retryAfter)
          void reply.header('retry-after', err.details?.retryAfter)
        }
        throw err
      })
      const user = await accounts.getUser(done.userId)
      void reply.setCookie(SESSION_COOKIE, done.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: cookieSecure,
        expires: done.expiresAt,
      })
      return { user: toPrivateUser(user), token: done.token, expiresAt: done.expiresAt.toISOString() }
    },
  )
}
