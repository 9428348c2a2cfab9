import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { settingsRoutes } from './settings.routes.js'
import { settingsDefaults } from './settings.schemas.js'
import { createSettingsService, type SettingsService } from './settings.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The operator's settings: `getSettings(tx)` where a deadline, fee or default is decided. */
    settings: SettingsService
  }
}

/**
 * Deadlines, fees and defaults an operator changes at runtime (`/api/v1/admin/settings`),
 * each change in an audit log; defaults come from the configuration. docs/settings.md.
 */
export const settingsModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { config, clock, ids }) => {
    const settings = createSettingsService({ db: app.db, clock, ids, defaults: settingsDefaults(config) })
    app.decorate('settings', settings)
    await app.register(settingsRoutes, { settings })
  },
  { name: 'settings', dependencies: ['database', 'accounts'] },
)
