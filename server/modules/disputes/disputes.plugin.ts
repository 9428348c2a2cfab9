import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { AUTO_RELEASE_KIND } from '../milestones/index.js'
import { withDisputeNotices } from './disputes.notices.js'
import { disputesRoutes } from './disputes.routes.js'
import { responseReminder } from './disputes.reminders.js'
import {
  createDisputesService,
  DISPUTE_DEADLINE_KIND,
  type DisputeOutcome,
  type DisputesService,
} from './disputes.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    disputes: DisputesService
  }
}

export const disputesModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const service = createDisputesService({
      ledger: app.ledger,
      invoices: app.invoices,
      milestones: app.milestones,
      scheduler: app.scheduler,
      clock,
      ids,
      settings: app.settings,
    })
    const disputes = withDisputeNotices(service, app.notifications)
    app.decorate('disputes', disputes)

    const afterChange = async (outcome: DisputeOutcome) => {
      for (const subject of outcome.staleAutoRelease) await app.scheduler.cancel(AUTO_RELEASE_KIND, subject)
      for (const subject of outcome.staleResponse) await app.scheduler.cancel(DISPUTE_DEADLINE_KIND, subject)
      await app.moneyLive.refresh(outcome.contract.id)
    }

    app.scheduler.register(DISPUTE_DEADLINE_KIND, async (deadline, tx) => {
      const outcome = await disputes.lapse(tx, deadline)
      if (outcome) app.moneyLive.refreshSoon(outcome.contract.id)
    })

    app.scheduler.remindBefore(DISPUTE_DEADLINE_KIND, responseReminder)
    await app.register(disputesRoutes, { disputes, afterChange })
  },
  {
    name: 'disputes',
    dependencies: ['milestones', 'ledger', 'invoices', 'idempotency', 'scheduler', 'settings', 'notifications'],
  },
)
