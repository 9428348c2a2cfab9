import { Type, type FastifyPluginAsyncTypebox, type TSchema } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { AppError } from '../../http/errors.js'
import { ErrorBody } from '../../http/schemas.js'
import { accountErrors } from './accounts.errors.js'
import { requireSession, SESSION_COOKIE } from './accounts.auth.js'
import {
  AuthResponse,
  LoginBody,
  PrivateUser,
  ProfileBody,
  publicProfileSchema,
  RegisterBody,
  type PrivateUserDto,
  type PublicUserDto,
} from './accounts.schemas.js'
import type { AccountsService } from './accounts.service.js'
import type { RealtimeTickets } from './accounts.tickets.js'
import type { UserRow } from './accounts.repository.js'
import type { TwoFactorService } from './accounts.twofactor.js'
import { TwoFactorChallenge } from './accounts.twofactor.schemas.js'

/**
 * A portfolio link as stored: what the WHATWG URL parser (the browser's) reads as an http(s)
 * address with a host, in its canonical form; anything else (`javascript:`, `data:`, a
 * relative or unparsable address) is refused with the field named.
 */
function checkedLink(link: { title: string; url: string }, index: number): { title: string; url: string } {
  let url: URL | null
  try {
    url = new URL(link.url)
  } catch {
    url = null
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
    throw accountErrors.invalidLink(undefined, { field: `portfolioLinks.${index}.url` })
  return { title: link.title.trim(), url: url.href }
}

export function toPublicUser(user: UserRow): PublicUserDto {
  return {
    id: user.id,
    name: user.name,
    headline: user.headline,
    bio: user.bio,
    skills: user.skills,
    hourlyRate: user.hourlyRate,
    rateCurrency: user.rateCurrency,
    timeZone: user.timeZone,
    portfolioLinks: user.portfolioLinks,
    createdAt: user.createdAt.toISOString(),
  }
}

export function toPrivateUser(user: UserRow): PrivateUserDto {
  return {
    ...toPublicUser(user),
    email: user.email,
    role: user.role,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
  }
}

/**
 * Loaders of the fields later modules add to the public profile (`GET /api/v1/users/:id`),
 * by field name (e.g. `reputation`). Each field's schema reaches the accounts module when it
 * registers (`profileFields`), because a route's schema is fixed then; a field whose loader
 * is not set, or finds nothing, is left out.
 */
export type PublicProfileProviders = Record<string, (userId: string) => Promise<unknown>>

const badCredentials = accountErrors.badCredentials().code

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody }

export const accountsRoutes: FastifyPluginAsyncTypebox<{
  accounts: AccountsService
  /** Single-use WebSocket tickets. */
  tickets: Pick<RealtimeTickets, 'issue'>
  cookieSecure: boolean
  /** Failed sign-ins allowed per client IP over all emails (password spraying) and per email (the service counts those). */
  signInFailures: { perIp: number; perEmail: number; windowMs: number }
  profileFields: Readonly<Record<string, TSchema>>
  profileProviders: PublicProfileProviders
  /** After an account is created (mails the first verification link); a failure is logged, not answered. */
  onRegistered?: (user: UserRow) => Promise<void>
  /** With two-factor sign-in on, the password step answers a challenge (202) instead of a session. */
  twoFactor: Pick<TwoFactorService, 'challengeFor'>
}> = async (
  app,
  { accounts, tickets, cookieSecure, signInFailures, profileFields, profileProviders, twoFactor, onRegistered },
) => {
  const failuresOfIp = app.rateBudget({
    name: 'sign-in-failures',
    max: signInFailures.perIp,
    windowMs: signInFailures.windowMs,
    keyOf: (request) => request.ip,
  })

  const setSessionCookie = (reply: FastifyReply, token: string, expiresAt: Date) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: cookieSecure,
      path: '/',
      expires: expiresAt,
    })

  app.post(
    '/api/v1/auth/register',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary: 'Create an account',
        body: RegisterBody,
        response: { 201: AuthResponse, ...errors },
      },
    },
    async (request, reply) => {
      const meta = { userAgent: request.headers['user-agent'] ?? null, ip: request.ip }
      const { user, token, expiresAt } = await accounts.register(request.body, meta)
      await onRegistered?.(user).catch((err: unknown) => request.log.error({ err }, 'after-registration step failed'))
      setSessionCookie(reply, token, expiresAt)
      return reply.status(201).send({ user: toPrivateUser(user), token, expiresAt: expiresAt.toISOString() })
    },
  )

  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary: 'Sign in (202 with a challenge when the account has two-factor sign-in on)',
        body: LoginBody,
        response: { 200: AuthResponse, 202: TwoFactorChallenge, ...errors },
      },
    },
    async (request, reply) => {
      await failuresOfIp.check(request, reply)
      const user = await accounts.checkPassword(request.body).catch(async (err: unknown) => {
        if (err instanceof AppError && err.code === badCredentials) await failuresOfIp.count(request)
        if (err instanceof AppError && err.statusCode === 429) {
          // The per-email throttle: the same headers as every other limit.
          void reply.header('ratelimit-limit', signInFailures.perEmail)
          void reply.header('ratelimit-remaining', 0)
          void reply.header('ratelimit-reset', err.details?.retryAfter)
        }
        throw err
      })
      const meta = { userAgent: request.headers['user-agent'] ?? null, ip: request.ip }
      const challenge = await twoFactor.challengeFor(user, meta)
      if (challenge) {
        const expiresAt = challenge.expiresAt.toISOString()
        return reply.status(202).send({ twoFactorRequired: true, challenge: challenge.challenge, expiresAt })
      }
      const { token, expiresAt } = await accounts.startSession(user.id, meta)
      setSessionCookie(reply, token, expiresAt)
      return { user: toPrivateUser(user), token, expiresAt: expiresAt.toISOString() }
    },
  )

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign out (revokes this session)',
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await accounts.logout(requireSession(request))
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/me',
    { schema: { tags: ['accounts'], summary: 'The signed-in account', response: { 200: PrivateUser, ...errors } } },
    async (request) => toPrivateUser(requireSession(request).user),
  )

  app.patch(
    '/api/v1/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Update your profile',
        body: ProfileBody,
        response: { 200: PrivateUser, ...errors },
      },
    },
    async (request) => {
      const { portfolioLinks, ...rest } = request.body
      const changes = portfolioLinks ? { ...rest, portfolioLinks: portfolioLinks.map(checkedLink) } : rest
      return toPrivateUser(await accounts.updateProfile(requireSession(request).user.id, changes))
    },
  )

  app.post(
    '/api/v1/realtime/tickets',
    {
      schema: {
        tags: ['real time'],
        summary: 'A single-use ticket (valid 60 s) to open a WebSocket: ?ticket=',
        response: {
          201: Type.Object({ ticket: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { ticket, expiresAt } = tickets.issue(requireSession(request))
      return reply.status(201).send({ ticket, expiresAt: expiresAt.toISOString() })
    },
  )

  app.get(
    '/api/v1/users/:id',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['accounts'],
        summary: 'Public profile, with reputation (docs/reputation.md)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: publicProfileSchema(profileFields), ...errors },
      },
    },
    async (request) => {
      const user = await accounts.getUser(request.params.id)
      const added = await Promise.all(
        Object.entries(profileProviders).map(async ([field, load]) => [field, await load(user.id)] as const),
      )
      return { ...toPublicUser(user), ...Object.fromEntries(added.filter(([, value]) => value)) }
    },
  )
}
