import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { appendActivity } from '../activity/index.js'
import { reputationRoutes } from './reputation.routes.js'
import { createReputationService, type ReputationService } from './reputation.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Reputation by the open formula of docs/reputation.md. */
    reputation: ReputationService
  }
}

/**
 * Reputation on public profiles (`GET /api/v1/users/:id` gets a `reputation` field through
 * the accounts module's profile providers) and the freelancer search. A reveal changes the
 * rated parties' scores: each change goes to the workroom's activity log and to the rated
 * party's event stream (`reputation.changed`).
 */
export const reputationModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { config, clock, ids }) => {
    const reputation = createReputationService({ db: app.db, clock, settings: config })
    app.decorate('reputation', reputation)
    app.publicProfileProviders.reputation = (userId) => reputation.forUser(userId)

    app.feedback.onRevealed(async ({ contract, feedback }, tx, { afterCommit }) => {
      for (const row of feedback) {
        const role = row.subjectRole as 'client' | 'freelancer'
        const score = await reputation.scoreOf(tx, row.subjectId, role)
        await appendActivity(
          tx,
          { clock, ids },
          {
            workroomId: contract.workroomId,
            actorId: null,
            type: 'reputation.changed',
            scopeFreelancerId: contract.freelancerId,
            data: { contractId: contract.id, userId: row.subjectId, role, score },
          },
        )
        if (app.hasDecorator('events')) {
          afterCommit(() =>
            app.events.publish([row.subjectId], {
              type: 'reputation.changed',
              workroomId: contract.workroomId,
              data: { userId: row.subjectId, role, score },
            }),
          )
        }
      }
    })

    await app.register(reputationRoutes, { reputation })
  },
  { name: 'reputation', dependencies: ['database', 'accounts', 'feedback'] },
)
