import type { FastifyInstance } from 'fastify'
import { MINUTE, type Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { loadSigningKey } from '../../signing.js'
import type { AccountsService } from './accounts.service.js'
import { createSessionsRepository } from './accounts.sessions.js'
import { sessionsRoutes, trackLastSeen } from './accounts.sessions.routes.js'
import { createSecretBox } from './accounts.totp.js'
import { createTwoFactorService, type TwoFactorService } from './accounts.twofactor.js'
import { createTwoFactorRepository } from './accounts.twofactor.repository.js'
import { twoFactorRoutes } from './accounts.twofactor.routes.js'

/**
 * Two-factor sign-in (its routes and the code step), the session list, and each session's
 * last-seen time. Called by the accounts plugin after the auth hook; answers the service the
 * password step asks for a challenge.
 */
export async function registerTwoFactor(
  app: FastifyInstance,
  deps: { config: Config; clock: Clock; ids: IdGenerator; accounts: AccountsService },
): Promise<TwoFactorService> {
  const { config, clock, ids, accounts } = deps
  // The signer's key (SECRET_KEY, or the one kept under DATA_DIR) also seals TOTP secrets.
  const box = createSecretBox(await loadSigningKey(config.secretKey, config.dataDir))
  const twoFactor = createTwoFactorService({
    db: app.db,
    repository: createTwoFactorRepository(app.db),
    box,
    clock,
    ids,
    sessions: accounts,
    settings: config,
  })
  const sessions = createSessionsRepository(app.db)
  trackLastSeen(app, sessions, clock)
  await app.register(twoFactorRoutes, {
    accounts,
    twoFactor,
    cookieSecure: config.cookieSecure,
    codeFailures: { perIp: config.loginMaxFailuresPerIp, windowMs: config.loginWindowMinutes * MINUTE },
  })
  await app.register(sessionsRoutes, { accounts, repository: sessions, clock })
  return twoFactor
}
