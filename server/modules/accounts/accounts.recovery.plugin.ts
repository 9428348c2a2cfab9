import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { createRecoveryService, type RecoveryService } from './accounts.recovery.js'
import { recoveryRoutes } from './accounts.recovery.routes.js'
import type { AccountsRepository } from './accounts.repository.js'
import { USER_CHANGED_TOPIC, type AccountsService } from './accounts.service.js'

/**
 * Email verification, password reset, change of password and of email (docs/accounts.md).
 * Called by the accounts plugin after the auth hook; registration mails the first link
 * through the returned service.
 */
export async function registerRecovery(
  app: FastifyInstance,
  deps: { config: Config; clock: Clock; ids: IdGenerator; accounts: AccountsService; repository: AccountsRepository },
): Promise<RecoveryService> {
  const { config, clock, ids, accounts, repository } = deps
  const recovery = createRecoveryService({
    db: app.db,
    users: repository,
    accounts,
    async userChanged(userId) {
      accounts.forgetCached({ userId })
      await app.bus.publish(USER_CHANGED_TOPIC, { userId }).catch(() => {})
    },
    mail: app.mail,
    signer: app.signer,
    clock,
    ids,
    publicUrl: config.publicUrl,
  })
  await app.register(recoveryRoutes, { recovery })
  return recovery
}
