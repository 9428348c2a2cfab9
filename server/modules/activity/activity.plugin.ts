import fp from 'fastify-plugin'
import { activityRoutes } from './activity.routes.js'

/**
 * The activity log's routes: reading it and verifying its hash chain. Modules write to it
 * with `appendActivity` inside their own transactions; it imports none of them.
 */
export const activityModule = fp(
  async (app) => {
    await app.register(activityRoutes)
  },
  { name: 'activity', dependencies: ['accounts', 'database'] },
)
