import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { MINUTE, HOUR } from '../../clock.js'
import { AppError } from '../../http/errors.js'
import { ErrorBody } from '../../http/schemas.js'
import { requireSession } from './accounts.auth.js'
import { recoveryErrors } from './accounts.recovery.errors.js'
import type { RecoveryService } from './accounts.recovery.js'
import { toPrivateUser } from './accounts.routes.js'
import { Email, Password, PrivateUser } from './accounts.schemas.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody }
const Token = Type.String({ minLength: 1, maxLength: 4096 })
const Accepted = Type.Object({ message: Type.String() })

/** Budgets of these routes (docs/rate-limits.md): mail-sending and password-checking routes are the guessable ones. */
export const RECOVERY_LIMITS = {
  resetRequestsPerIp: { max: 10, windowMs: 15 * MINUTE },
  resetRequestsPerEmail: { max: 5, windowMs: HOUR },
  tokenRedemptionsPerIp: { max: 30, windowMs: 15 * MINUTE },
  passwordChecksPerUser: { max: 10, windowMs: 15 * MINUTE },
  verificationMailsPerUser: { max: 5, windowMs: HOUR },
} as const

export const recoveryRoutes: FastifyPluginAsyncTypebox<{ recovery: RecoveryService }> = async (app, { recovery }) => {
  const byIp = (request: FastifyRequest) => request.ip
  const byUser = (request: FastifyRequest) => requireSession(request).user.id
  const budget = (name: keyof typeof RECOVERY_LIMITS, keyOf: (request: FastifyRequest) => string) =>
    app.rateBudget({ name, ...RECOVERY_LIMITS[name], keyOf })
  const resetsOfIp = budget('resetRequestsPerIp', byIp)
  const resetsOfEmail = budget('resetRequestsPerEmail', (request) =>
    String((request.body as { email?: string }).email ?? '')
      .trim()
      .toLowerCase(),
  )
  const redemptions = budget('tokenRedemptionsPerIp', byIp)
  const passwordChecks = budget('passwordChecksPerUser', byUser)
  const verificationMails = budget('verificationMailsPerUser', byUser)
  const wrongPassword = recoveryErrors.wrongPassword().code

  /** Counts a wrong current password against the caller's budget, then answers as it would. */
  const countingWrongPasswords = async <T>(request: FastifyRequest, work: Promise<T>): Promise<T> =>
    work.catch(async (err: unknown) => {
      if (err instanceof AppError && err.code === wrongPassword) await passwordChecks.count(request)
      throw err
    })

  app.post(
    '/api/v1/me/verify-email/send',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Mail a new verification link (valid 24 h, single use) to your address',
        response: { 202: Accepted, ...errors },
      },
    },
    async (request, reply) => {
      await verificationMails.check(request, reply)
      await recovery.sendVerification(requireSession(request).user.id)
      await verificationMails.count(request)
      return reply.status(202).send({ message: 'A verification link is on its way to your address.' })
    },
  )

  app.post(
    '/api/v1/verify-email',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary: 'Confirm an email address with the token from the mailed link',
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: { 200: PrivateUser, ...errors },
      },
    },
    async (request, reply) => {
      await redemptions.check(request, reply)
      await redemptions.count(request)
      return toPrivateUser(await recovery.verifyEmail(request.body.token))
    },
  )

  app.post(
    '/api/v1/password-reset',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary: 'Mail a password-reset link (valid 30 min); the same answer whether or not the address has an account',
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false }),
        response: { 202: Accepted, ...errors },
      },
    },
    async (request, reply) => {
      await resetsOfIp.check(request, reply)
      await resetsOfEmail.check(request, reply)
      await Promise.all([resetsOfIp.count(request), resetsOfEmail.count(request)])
      await recovery.requestPasswordReset(request.body.email)
      return reply
        .status(202)
        .send({ message: 'If an account uses this address, a link to choose a new password is on its way.' })
    },
  )

  app.post(
    '/api/v1/password-reset/confirm',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['accounts'],
        summary: 'Set a new password with the mailed token; every session of the account ends',
        body: Type.Object({ token: Token, password: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await redemptions.check(request, reply)
      await redemptions.count(request)
      await recovery.confirmPasswordReset(request.body)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/api/v1/me/password',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Change your password (current one required); your other sessions end',
        body: Type.Object(
          { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await passwordChecks.check(request, reply)
      await countingWrongPasswords(request, recovery.changePassword(requireSession(request), request.body))
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/api/v1/me/email',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Change your email (current password required): it changes once the link mailed to it is opened',
        body: Type.Object(
          { password: Type.String({ minLength: 1, maxLength: 256 }), email: Email },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ message: Type.String(), pendingEmail: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      await passwordChecks.check(request, reply)
      const pendingEmail = await countingWrongPasswords(
        request,
        recovery.changeEmail(requireSession(request), request.body),
      )
      return reply
        .status(202)
        .send({ message: `Open the link we mailed to ${pendingEmail} to finish the change.`, pendingEmail })
    },
  )
}
