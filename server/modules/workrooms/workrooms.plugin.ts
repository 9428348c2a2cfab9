import fp from 'fastify-plugin'
import { workroomsRoutes } from './workrooms.routes.js'
import { createWorkroomsService } from './workrooms.service.js'

/** The workroom hub view (threads, messages, files and activity have their own modules). */
export const workroomsModule = fp(
  async (app) => {
    await app.register(workroomsRoutes, { workrooms: createWorkroomsService({ db: app.db }) })
  },
  { name: 'workrooms', dependencies: ['database', 'accounts', 'jobs', 'proposals', 'contracts'] },
)
