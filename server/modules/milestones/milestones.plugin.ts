import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { createMilestoneEnding } from './milestones.ending.js'
import { holdsRoutes } from './milestones.holds.routes.js'
import { END_WINDOW_KIND } from './milestones.holds.js'
import { createMoneyLiveState, type MoneyLiveState } from './milestones.live.js'
import { createMilestoneNotices } from './milestones.notices.js'
import { createMilestoneRefunds } from './milestones.refunds.js'
import { autoReleaseReminder } from './milestones.reminders.js'
import { milestonesRoutes } from './milestones.routes.js'
import {
  AUTO_RELEASE_KIND,
  createMilestonesService,
  type MilestoneOutcome,
  type MilestonesService,
} from './milestones.service.js'
import { createMilestonesFromTerms } from './milestones.terms.js'

declare module 'fastify' {
  interface FastifyInstance {
    milestones: MilestonesService
    /** Writes the money part of `contract:<id>:state` (milestones, invoices) from the database. */
    moneyLive: MoneyLiveState
  }
}

export const milestonesModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const notices = createMilestoneNotices(app.notifications)
    const milestones = createMilestonesService({
      ledger: app.ledger,
      invoices: app.invoices,
      scheduler: app.scheduler,
      contracts: app.contracts,
      clock,
      ids,
      settings: app.settings,
      notices,
    })
    const refunds = createMilestoneRefunds({
      ledger: app.ledger,
      invoices: app.invoices,
      milestones,
      clock,
      ids,
      settings: app.settings,
      notices,
    })
    const ending = createMilestoneEnding({
      ledger: app.ledger,
      invoices: app.invoices,
      scheduler: app.scheduler,
      contracts: app.contracts,
      milestones,
      clock,
      ids,
      settings: app.settings,
      notices,
    })
    const live = createMoneyLiveState({
      db: app.db,
      contractState: app.hasDecorator('contractState') ? app.contractState : null,
      events: app.hasDecorator('events') ? app.events : null,
      log: app.log,
    })
    app.decorate('milestones', milestones)
    app.decorate('moneyLive', live)

    app.addHook('onClose', async () => live.close())

    const afterChange = async (outcome: Pick<MilestoneOutcome, 'contract' | 'staleDeadlines'>) => {
      for (const subject of outcome.staleDeadlines) await app.scheduler.cancel(AUTO_RELEASE_KIND, subject)
      await live.refresh(outcome.contract.id)
    }

    app.scheduler.register(AUTO_RELEASE_KIND, async (deadline, tx) => {
      const outcome = await milestones.autoRelease(tx, deadline)
      if (outcome) live.refreshSoon(outcome.contract.id)
    })
    app.scheduler.remindBefore(AUTO_RELEASE_KIND, autoReleaseReminder)
    app.scheduler.register(END_WINDOW_KIND, async (deadline, tx) => {
      const outcome = await ending.endWindowRefund(tx, deadline)
      if (outcome) live.refreshSoon(outcome.contract.id)
    })
    app.contracts.onEnd((contract, tx) => ending.startEndClocks(contract, tx))

    if (app.hasDecorator('terms')) {
      app.terms.onBound(async (tx, event) => {
        await createMilestonesFromTerms(
          tx,
          { clock, ids },
          { contractId: event.contractId, version: event.version, terms: event.terms },
        )
        live.refreshSoon(event.contractId)
      })
    }

    await app.register(milestonesRoutes, { milestones, refunds, afterChange })
    await app.register(holdsRoutes, { ending })
  },
  {
    name: 'milestones',
    dependencies: [
      'ledger',
      'invoices',
      'idempotency',
      'scheduler',
      'accounts',
      'contracts',
      'settings',
      'notifications',
    ],
  },
)
