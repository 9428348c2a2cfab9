import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Database, Executor } from '../../../db/client.js'
import { DAY, MINUTE, type Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Mailer } from '../../plugins/mail.js'
import type { Signer } from '../../signing.js'
import { accountErrors } from './accounts.errors.js'
import {
  changeEmailMail,
  emailChangeNoticeMail,
  passwordChangedMail,
  passwordResetMail,
  verificationMail,
} from './accounts.recovery.mails.js'
import { recoveryErrors } from './accounts.recovery.errors.js'
import { createRecoveryRepository, type AccountTokenPurpose } from './accounts.recovery.repository.js'
import { hashPassword, verifyPassword } from './accounts.passwords.js'
import type { AccountsRepository, UserRow } from './accounts.repository.js'
import { hashToken, normalizeEmail, type AccountsService, type AuthenticatedSession } from './accounts.service.js'

export const VERIFY_EMAIL_TTL_MS = DAY
export const PASSWORD_RESET_TTL_MS = 30 * MINUTE
/**
 * A password-reset request answers no sooner than this, whether or not the email has an
 * account: both paths do the same kind of work (a lookup, a token, one write) and then wait
 * out the rest, so the time tells nothing.
 */
export const RESET_ANSWER_MS = 600

const TOKEN_PURPOSE = 'account-token'

interface TokenPayload {
  id: string
  k: AccountTokenPurpose
  n: string
}

/**
 * Email verification, password reset, change of password and of email. Tokens are signed
 * (app.signer) and stored hashed; the row makes each single use.
 */
export function createRecoveryService(deps: {
  db: Database
  users: Pick<AccountsRepository, 'findUserByEmail' | 'findUserById'>
  accounts: Pick<AccountsService, 'revokeSessions' | 'forgetCached'>
  /** Tells every instance the user's row changed (drops cached sessions carrying it). */
  userChanged(userId: string): Promise<void>
  mail: Mailer
  signer: Signer
  clock: Clock
  ids: IdGenerator
  publicUrl: string
}) {
  const { db, users, accounts, mail, signer, clock, ids, publicUrl } = deps
  const repository = createRecoveryRepository(db)

  function newToken(purpose: AccountTokenPurpose, ttlMs: number) {
    const id = ids.newId()
    const createdAt = clock.now()
    const expiresAt = new Date(createdAt.getTime() + ttlMs)
    const payload: TokenPayload = { id, k: purpose, n: randomBytes(16).toString('base64url') }
    const token = signer.sign(TOKEN_PURPOSE, payload, expiresAt)
    return { id, token, tokenHash: hashToken(token), createdAt, expiresAt }
  }

  async function storeToken(
    executor: Executor,
    user: UserRow,
    purpose: AccountTokenPurpose,
    email: string,
    ttlMs: number,
  ): Promise<string> {
    const made = newToken(purpose, ttlMs)
    const tokens = createRecoveryRepository(executor)
    await tokens.retireTokens(user.id, purpose, made.createdAt)
    await tokens.insertToken({
      id: made.id,
      userId: user.id,
      purpose,
      tokenHash: made.tokenHash,
      email,
      createdAt: made.createdAt,
      expiresAt: made.expiresAt,
    })
    return made.token
  }

  /** Uses a token of one of `purposes`: the stored row, or a 400 for anything else. */
  async function redeem(token: string, purposes: AccountTokenPurpose[]) {
    const payload = signer.verify<TokenPayload>(TOKEN_PURPOSE, token)
    if (!payload || !purposes.includes(payload.k)) throw recoveryErrors.invalidToken()
    const row = await repository.consumeToken(hashToken(token), payload.k, clock.now())
    if (!row) throw recoveryErrors.invalidToken()
    return row
  }

  async function currentUser(userId: string): Promise<UserRow> {
    const user = await users.findUserById(userId)
    if (!user) throw accountErrors.userNotFound()
    return user
  }

  async function checkPassword(user: UserRow, password: string): Promise<void> {
    if (!(await verifyPassword(user.passwordHash, password))) throw recoveryErrors.wrongPassword()
  }

  const link = (page: string, token: string) => `${publicUrl}/${page}?token=${encodeURIComponent(token)}`

  return {
    /** Mails a verification link for the user's current address (a newer link replaces older ones). */
    async sendVerification(userId: string): Promise<void> {
      const user = await currentUser(userId)
      if (user.emailVerifiedAt) throw recoveryErrors.alreadyVerified()
      await db.transaction(async (tx) => {
        const token = await storeToken(tx, user, 'verify_email', user.email, VERIFY_EMAIL_TTL_MS)
        await mail.enqueue(tx, verificationMail(user, link('verify-email', token)))
      })
    },

    /** Confirms an address: the user's current one, or the new one of a change of email. */
    async verifyEmail(token: string): Promise<UserRow> {
      const row = await redeem(token, ['verify_email', 'change_email'])
      const now = clock.now()
      if (row.purpose === 'verify_email') {
        if (!(await repository.markVerified(row.userId, row.email, now))) throw recoveryErrors.invalidToken()
      } else if (!(await repository.changeEmail(row.userId, row.email, now))) {
        throw accountErrors.emailTaken()
      }
      await deps.userChanged(row.userId)
      return currentUser(row.userId)
    },

    /** Same answer, same work and same time whether or not `email` has an account. */
    async requestPasswordReset(email: string): Promise<void> {
      const started = performance.now()
      const user = await users.findUserByEmail(normalizeEmail(email))
      if (user) {
        await db.transaction(async (tx) => {
          const token = await storeToken(tx, user, 'password_reset', user.email, PASSWORD_RESET_TTL_MS)
          await mail.enqueue(tx, passwordResetMail(user, link('reset-password', token)))
        })
      } else {
        await repository.touchNothing(newToken('password_reset', PASSWORD_RESET_TTL_MS).tokenHash, clock.now())
      }
      const left = RESET_ANSWER_MS - (performance.now() - started)
      if (left > 0) await sleep(left)
    },

    /** Sets the new password and ends every session of the user (their sockets close on every instance). */
    async confirmPasswordReset(input: { token: string; password: string }): Promise<void> {
      const passwordHash = await hashPassword(input.password)
      const row = await redeem(input.token, ['password_reset'])
      const now = clock.now()
      await db.transaction(async (tx) => {
        const tokens = createRecoveryRepository(tx)
        await tokens.setPassword(row.userId, passwordHash, now)
        await tokens.retireTokens(row.userId, 'password_reset', now)
        // The link reached this address: it is proven.
        await tokens.markVerified(row.userId, row.email, now)
      })
      await accounts.revokeSessions(row.userId)
      await deps.userChanged(row.userId)
    },

    /** With the current password; every other session of the user ends. */
    async changePassword(
      session: AuthenticatedSession,
      input: { currentPassword: string; newPassword: string },
    ): Promise<void> {
      const user = await currentUser(session.user.id)
      await checkPassword(user, input.currentPassword)
      if (input.newPassword === input.currentPassword) throw recoveryErrors.samePassword()
      const passwordHash = await hashPassword(input.newPassword)
      await db.transaction(async (tx) => {
        await createRecoveryRepository(tx).setPassword(user.id, passwordHash, clock.now())
        await mail.enqueue(tx, passwordChangedMail(user))
      })
      await accounts.revokeSessions(user.id, { exceptSessionId: session.sessionId })
      await deps.userChanged(user.id)
    },

    /**
     * With the current password: a link goes to the new address and a notice to the old one;
     * the address changes only when the link is opened.
     */
    async changeEmail(session: AuthenticatedSession, input: { password: string; email: string }): Promise<string> {
      const user = await currentUser(session.user.id)
      await checkPassword(user, input.password)
      const email = normalizeEmail(input.email)
      if (email === user.email) throw recoveryErrors.sameEmail()
      if (await users.findUserByEmail(email)) throw accountErrors.emailTaken()
      await db.transaction(async (tx) => {
        const token = await storeToken(tx, user, 'change_email', email, VERIFY_EMAIL_TTL_MS)
        await mail.enqueue(tx, changeEmailMail(user, email, link('verify-email', token)))
        await mail.enqueue(tx, emailChangeNoticeMail(user, email))
      })
      return email
    },
  }
}

export type RecoveryService = ReturnType<typeof createRecoveryService>
