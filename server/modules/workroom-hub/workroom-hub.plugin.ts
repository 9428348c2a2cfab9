import fp from 'fastify-plugin'
import { workroomHubRoutes } from './workroom-hub.routes.js'
import { createWorkroomHubService } from './workroom-hub.service.js'

/**
 * The workroom hub view: a reader on top of jobs, proposals and contracts (the workroom and
 * its members are the workrooms module; threads, messages, files and activity have theirs).
 */
export const workroomHubModule = fp(
  async (app) => {
    await app.register(workroomHubRoutes, { hub: createWorkroomHubService({ db: app.db }) })
  },
  { name: 'workroom-hub', dependencies: ['database', 'accounts', 'jobs', 'proposals', 'contracts'] },
)
