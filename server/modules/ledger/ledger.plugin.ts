import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { ledgerRoutes } from './ledger.routes.js'
import { createLedgerService, type LedgerService } from './ledger.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The double-entry ledger: `app.ledger.transfer(tx, {...})` inside a money transaction. */
    ledger: LedgerService
  }
}

export const ledgerModule = fp<{ clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const ledger = createLedgerService({ clock, ids })
    app.decorate('ledger', ledger)
    await app.register(ledgerRoutes, { ledger, now: () => clock.now() })
  },
  { name: 'ledger', dependencies: ['database', 'accounts'] },
)
