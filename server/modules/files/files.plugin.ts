import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { filesRoutes } from './files.routes.js'
import { createFilesService, type FilesService } from './files.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    files: FilesService
  }
}

/** Workroom files: streaming upload with sniffed types and versions, download, soft delete. */
export const filesModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { config, clock, ids }) => {
    const files = createFilesService({
      db: app.db,
      storage: app.storage,
      clock,
      ids,
      events: app.events,
      limits: { fileMaxBytes: config.fileMaxBytes, workroomQuotaBytes: config.workroomQuotaBytes },
      log: app.log,
    })
    app.decorate('files', files)
    await app.register(filesRoutes, { files, fileMaxBytes: config.fileMaxBytes })
  },
  { name: 'files', dependencies: ['accounts', 'events', 'storage', 'database'] },
)
