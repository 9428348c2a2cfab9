import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import { activityRoutes } from './activity.routes.js'

/** The activity log's routes: reading it, verifying its hash chain, exporting the workroom. */
export const activityModule = fp<{ clock: Clock }>(
  async (app, { clock }) => {
    await app.register(activityRoutes, { clock })
  },
  { name: 'activity', dependencies: ['accounts', 'database', 'storage'] },
)
