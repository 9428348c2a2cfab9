import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { workviewRoutes } from './workview.routes.js'
import { createSegmentPlans } from './workview.segments.js'
import { createWorkviewService } from './workview.service.js'

/** Work View: screenshots of tracked segments, streamed live to the client. */
export const workviewModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const workview = createWorkviewService({
      db: app.db,
      clock,
      ids,
      scheduler: app.scheduler,
      settings: app.settings,
      storage: app.storage,
      live: app.events,
      weekChanged: app.weekChanges.emit,
    })
    await app.register(workviewRoutes, { workview, plans: createSegmentPlans({ db: app.db, clock }) })
  },
  { name: 'workview', dependencies: ['database', 'scheduler', 'storage', 'accounts', 'settings', 'events', 'tracker'] },
)
