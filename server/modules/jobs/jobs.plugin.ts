import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { jobsRoutes } from './jobs.routes.js'
import { createJobsService } from './jobs.service.js'

/** Job posts, their search, and invites. */
export const jobsModule = fp<{ clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    await app.register(jobsRoutes, {
      jobs: createJobsService({ db: app.db, clock, ids, notifications: app.notifications }),
    })
  },
  { name: 'jobs', dependencies: ['database', 'accounts', 'notifications'] },
)
