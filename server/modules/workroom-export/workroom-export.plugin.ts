import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import { workroomExportRoutes } from './workroom-export.routes.js'

/**
 * `GET /api/v1/workrooms/:id/export`: a reader on top of every module a workroom holds (jobs,
 * proposals, contracts, threads, files, activity), so none of them imports another for it.
 */
export const workroomExportModule = fp<{ clock: Clock }>(
  async (app, { clock }) => {
    await app.register(workroomExportRoutes, { clock })
  },
  { name: 'workroom-export', dependencies: ['accounts', 'database', 'storage'] },
)
