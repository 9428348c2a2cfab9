import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { createHistory } from './payments.history.js'
import { historyRoutes } from './payments.history.routes.js'
import { createProviderRegistry, type ProviderRegistry } from './payments.provider.js'
import { paymentsRoutes } from './payments.routes.js'
import { createPaymentsService, type PaymentsService } from './payments.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Deposits and withdrawals; `app.payments.providers.register(provider)` plugs in another payment provider. */
    payments: PaymentsService & { providers: ProviderRegistry }
  }
}

export const paymentsModule = fp<{ clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const providers = createProviderRegistry()
    const payments = createPaymentsService({ ledger: app.ledger, providers, clock, ids })
    app.decorate('payments', Object.assign(payments, { providers }))
    await app.register(paymentsRoutes, { payments })
    await app.register(historyRoutes, { history: createHistory({ db: app.db }) })
  },
  { name: 'payments', dependencies: ['ledger', 'idempotency', 'accounts', 'events'] },
)
