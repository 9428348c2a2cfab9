import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { createWeekChanges, type WeekChanges } from './tracker.live.js'
import { trackerRoutes } from './tracker.routes.js'
import { createTrackerService } from './tracker.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Changed weeks of tracked time, announced after commit (segments, Work View screenshots). */
    weekChanges: WeekChanges
  }
}

/** Tracker: ten-minute segments of hourly contracts, and the week view with billing flags. */
export const trackerModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { config, clock, ids }) => {
    const weekChanges = createWeekChanges(app.log)
    app.decorate('weekChanges', weekChanges)
    const tracker = createTrackerService({
      db: app.db,
      clock,
      ids,
      scheduler: app.scheduler,
      settings: app.settings,
      live: app.events,
      weekChanged: weekChanges.emit,
    })
    await app.register(trackerRoutes, { tracker, db: app.db, clock, publicUrl: config.publicUrl })
  },
  { name: 'tracker', dependencies: ['database', 'scheduler', 'accounts', 'settings', 'events'] },
)
