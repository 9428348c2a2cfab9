import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import type { Transaction } from '../../../db/client.js'
import { noticeOffers } from './contracts.notices.js'
import { contractsRoutes } from './contracts.routes.js'
import { offerExpiryReminder } from './contracts.reminders.js'
import { createContractsService, OFFER_EXPIRY_KIND, type ContractsService } from './contracts.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Contracts: `get(id)` and `onStateChange(hook)` for modules that react to hires, accepts, ends. */
    contracts: ContractsService
  }
}

/** Hiring and the contract lifecycle: offered -> active -> (paused) -> ended; declined / expired. */
export const contractsModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const contracts = createContractsService({
      db: app.db,
      clock,
      ids,
      scheduler: app.scheduler,
      settings: app.settings,
      live: app.events,
    })
    app.decorate('contracts', contracts)
    // A state change always runs in a transaction (the hire's, the accept's, the expiry deadline's).
    contracts.onStateChange((change, tx) => noticeOffers(app.notifications)(change, tx as Transaction))
    app.scheduler.remindBefore(OFFER_EXPIRY_KIND, offerExpiryReminder)
    app.scheduler.register(OFFER_EXPIRY_KIND, (deadline, tx) => contracts.expire(deadline.subject, tx))
    await app.register(contractsRoutes, { contracts })
  },
  {
    name: 'contracts',
    dependencies: ['database', 'scheduler', 'accounts', 'settings', 'events', 'jobs', 'proposals', 'notifications'],
  },
)
