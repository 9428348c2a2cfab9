import fp from 'fastify-plugin'
import { writeTerms } from '../../../common/terms.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { termsRoutes } from './terms.routes.js'
import { createTermsService, type TermsBoundHandler, type TermsService } from './terms.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Terms versions; `onBound(handler)` runs inside the transaction that binds a version. */
    terms: Pick<TermsService, 'onBound'>
  }
}

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const termsName = new RegExp(`^contract:(${uuid}):terms$`)

/**
 * Terms co-edited live: the `contract:<id>:terms` document (the contract's client and
 * freelancer write it; nobody else connects), and the versions that bind by mutual
 * acceptance.
 */
export const termsModule = fp<{ clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const terms = createTermsService({
      db: app.db,
      clock,
      ids,
      realtime: app.realtime,
      notifications: app.notifications,
      afterBound: async (contract, version) => {
        // Both parties' open pages (the contract, its milestones) re-read: the terms bind now.
        // First, and whatever happens to the live document after it (publish never throws).
        await app.events.publish([contract.clientId, contract.freelancerId], {
          type: 'terms.bound',
          workroomId: contract.workroomId,
          data: { contractId: contract.id, version },
        })
        await app.contractState
          ?.refresh(contract.id)
          .catch((err: unknown) => app.log.warn({ err, contractId: contract.id }, 'live contract state not refreshed'))
      },
    })
    app.decorate('terms', { onBound: (handler: TermsBoundHandler) => terms.onBound(handler) })
    // The offer is terms version 1: frozen by the hire, bound by the freelancer's accept.
    app.contracts.onStateChange((change, tx) => terms.contractChanged(change, tx))
    app.realtime.registerKind<{ contractId: string }>({
      name: 'contract-terms',
      parse: (docName) => {
        const match = termsName.exec(docName)
        return match ? { contractId: match[1]! } : null
      },
      authorize: ({ params, userId }) => terms.documentAccess(params.contractId, userId),
      onLoad: async ({ params, isNew }) => {
        if (!isNew) return null
        const initial = await terms.initialTerms(params.contractId)
        return initial ? (doc) => writeTerms(doc, initial) : null
      },
    })
    await app.register(termsRoutes, { terms })
  },
  { name: 'terms', dependencies: ['database', 'realtime', 'accounts', 'events', 'contracts', 'notifications'] },
)
