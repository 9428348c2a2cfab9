import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { proposalsRoutes } from './proposals.routes.js'
import { createProposalsService } from './proposals.service.js'

/** Proposals on jobs: submit, edit, shortlist, decline, withdraw (hiring is in contracts). */
export const proposalsModule = fp<{ clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    await app.register(proposalsRoutes, {
      proposals: createProposalsService({ db: app.db, clock, ids, notifications: app.notifications }),
    })
  },
  { name: 'proposals', dependencies: ['database', 'accounts', 'jobs', 'notifications'] },
)
