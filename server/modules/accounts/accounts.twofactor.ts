import { randomBytes } from 'node:crypto'
import QRCode from 'qrcode'
import type { Database } from '../../../db/client.js'
import { MINUTE, type Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { verifyPassword } from './accounts.passwords.js'
import type { UserRow } from './accounts.repository.js'
import type { SessionMeta } from './accounts.sessions.js'
import type { AuthenticatedSession } from './accounts.service.js'
import { hashToken } from './accounts.service.js'
import {
  hashRecoveryCode,
  matchTotp,
  newRecoveryCode,
  newTotpSecret,
  totpFor,
  type SecretBox,
} from './accounts.totp.js'
import { twoFactorErrors } from './accounts.twofactor.errors.js'
import type { TwoFactorRepository } from './accounts.twofactor.repository.js'

/** How long the second sign-in step may wait after the password step. */
export const CHALLENGE_TTL_MS = 5 * MINUTE
/** Wrong codes one challenge takes before it ends (the password is asked again). */
export const CHALLENGE_MAX_FAILURES = 5
export const RECOVERY_CODE_COUNT = 10

export interface SessionStarter {
  startSession(userId: string, meta?: SessionMeta): Promise<{ token: string; expiresAt: Date }>
  revokeSessions(userId: string, which?: { sessionId?: string; exceptSessionId?: string }): Promise<string[]>
}

const totpCode = /^\d{6}$/

/**
 * TOTP two-factor sign-in (RFC 6238): enrolment, ten single-use recovery codes, the
 * challenge the password step answers with, and the throttled code step that ends it.
 */
export function createTwoFactorService(deps: {
  db: Database
  repository: TwoFactorRepository
  box: SecretBox
  clock: Clock
  ids: IdGenerator
  sessions: SessionStarter
  settings: { loginMaxFailures: number; loginWindowMinutes: number }
  issuer?: string
}) {
  const { db, repository, box, clock, ids, sessions, settings } = deps
  const issuer = deps.issuer ?? 'Workroom'

  async function throttle(userId: string): Promise<void> {
    const since = new Date(clock.now().getTime() - settings.loginWindowMinutes * MINUTE)
    if ((await repository.countRecentFailures(userId, since)) >= settings.loginMaxFailures) {
      throw twoFactorErrors.throttled(undefined, { retryAfter: settings.loginWindowMinutes * 60 })
    }
  }

  /** Whether `code` (a TOTP code or a recovery code) is good now; spends it when it is. */
  async function spendCode(userId: string, code: string): Promise<'totp' | 'recovery' | null> {
    const now = clock.now()
    const trimmed = code.replace(/\s/g, '')
    if (totpCode.test(trimmed)) {
      const authenticator = await repository.findAuthenticator(userId)
      const secret = authenticator?.enabledAt ? box.open(authenticator.secretSealed) : null
      const step = secret ? matchTotp(secret, trimmed, now) : null
      if (step === null) return null
      return (await repository.useStep(userId, step, now)) ? 'totp' : null
    }
    if (trimmed.length > 40) return null
    return (await repository.useRecoveryCode(userId, hashRecoveryCode(trimmed), now)) ? 'recovery' : null
  }

  async function failed(userId: string): Promise<never> {
    await repository.recordFailure({ id: ids.newId(), userId, at: clock.now() })
    throw twoFactorErrors.badCode()
  }

  /** 2FA is on, and the password and a code (spent) are right: the check before changing it. */
  async function reauthenticate(session: AuthenticatedSession, input: { password: string; code: string }) {
    const userId = session.user.id
    const authenticator = await repository.findAuthenticator(userId)
    if (!authenticator?.enabledAt) throw twoFactorErrors.notEnabled()
    await throttle(userId)
    if (!(await verifyPassword(session.user.passwordHash, input.password))) {
      await repository.recordFailure({ id: ids.newId(), userId, at: clock.now() })
      throw twoFactorErrors.badPassword()
    }
    if (!(await spendCode(userId, input.code))) await failed(userId)
  }

  return {
    async status(userId: string) {
      const authenticator = await repository.findAuthenticator(userId)
      const enabledAt = authenticator?.enabledAt ?? null
      return {
        enabled: enabledAt !== null,
        enabledAt,
        recoveryCodesLeft: enabledAt ? await repository.countUnusedRecoveryCodes(userId) : 0,
      }
    },

    /** A new secret to scan; 2FA is on only once a code from it is entered (`enable`). */
    async setup(user: UserRow) {
      const secret = newTotpSecret()
      if (!(await repository.savePending(user.id, box.seal(secret), clock.now()))) {
        throw twoFactorErrors.alreadyEnabled()
      }
      const uri = totpFor(secret, user.email, issuer).toString()
      const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })
      return { secret, uri, qr: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}` }
    },

    /**
     * Turns 2FA on with a code from the new secret; answers the ten recovery codes, shown this
     * once (only their hashes are kept). The account's other sessions end.
     */
    async enable(session: AuthenticatedSession, code: string): Promise<string[]> {
      const userId = session.user.id
      const authenticator = await repository.findAuthenticator(userId)
      if (!authenticator) throw twoFactorErrors.notEnrolling()
      if (authenticator.enabledAt) throw twoFactorErrors.alreadyEnabled()
      const secret = box.open(authenticator.secretSealed)
      const now = clock.now()
      const step = secret && totpCode.test(code.trim()) ? matchTotp(secret, code.trim(), now) : null
      if (step === null) throw twoFactorErrors.badCode('That code is wrong; enter the code your app shows now')
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
      await db.transaction(async (tx) => {
        if (!(await repository.enable(tx, userId, step, now))) throw twoFactorErrors.alreadyEnabled()
        await repository.replaceRecoveryCodes(
          tx,
          codes.map((c) => ({ id: ids.newId(), userId, codeHash: hashRecoveryCode(c), createdAt: now })),
          userId,
        )
      })
      await sessions.revokeSessions(userId, { exceptSessionId: session.sessionId })
      return codes
    },

    /** Turns 2FA off with the password and a code (or a recovery code); other sessions end. */
    async disable(session: AuthenticatedSession, input: { password: string; code: string }): Promise<void> {
      const userId = session.user.id
      await reauthenticate(session, input)
      await db.transaction((tx) => repository.remove(tx, userId))
      await sessions.revokeSessions(userId, { exceptSessionId: session.sessionId })
    },

    /**
     * Ten new recovery codes in place of the old ones (used or not), shown this once: for
     * someone who has used most of theirs or fears they were seen. It takes the password and
     * a code (or a recovery code), as turning 2FA off does; the sessions stay.
     */
    async newRecoveryCodes(
      session: AuthenticatedSession,
      input: { password: string; code: string },
    ): Promise<string[]> {
      const userId = session.user.id
      await reauthenticate(session, input)
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
      const now = clock.now()
      await db.transaction(async (tx) => {
        // Turned off meanwhile (another session): no codes for an account without 2FA.
        if (!(await repository.findAuthenticator(userId, tx))?.enabledAt) throw twoFactorErrors.notEnabled()
        await repository.replaceRecoveryCodes(
          tx,
          codes.map((c) => ({ id: ids.newId(), userId, codeHash: hashRecoveryCode(c), createdAt: now })),
          userId,
        )
      })
      return codes
    },

    /** After a right password: a challenge for the code step when 2FA is on, else null. */
    async challengeFor(user: UserRow, meta: SessionMeta): Promise<{ challenge: string; expiresAt: Date } | null> {
      const authenticator = await repository.findAuthenticator(user.id)
      if (!authenticator?.enabledAt) return null
      const challenge = randomBytes(32).toString('base64url')
      const now = clock.now()
      const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS)
      await repository.insertChallenge({
        id: ids.newId(),
        tokenHash: hashToken(challenge),
        userId: user.id,
        userAgent: meta.userAgent?.slice(0, 512) ?? null,
        ip: meta.ip?.slice(0, 64) ?? null,
        createdAt: now,
        expiresAt,
      })
      return { challenge, expiresAt }
    },

    /** The code step: a TOTP code (once per time step) or a recovery code (once) gives the session. */
    async completeSignIn(input: { challenge: string; code: string }, meta: SessionMeta) {
      const now = clock.now()
      const challenge =
        input.challenge.length <= 200 ? await repository.findLiveChallenge(hashToken(input.challenge), now) : null
      if (!challenge) throw twoFactorErrors.challengeEnded()
      await throttle(challenge.userId)
      const used = await spendCode(challenge.userId, input.code)
      if (!used) {
        if ((await repository.failChallenge(challenge.id)) >= CHALLENGE_MAX_FAILURES) {
          await repository.consumeChallenge(challenge.id, now)
        }
        return failed(challenge.userId)
      }
      if (!(await repository.consumeChallenge(challenge.id, now))) throw twoFactorErrors.challengeEnded()
      const started = await sessions.startSession(challenge.userId, meta)
      return { userId: challenge.userId, usedRecoveryCode: used === 'recovery', ...started }
    },
  }
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>
