import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { createInvoiceListing } from './invoices.list.js'
import { invoiceListRoutes } from './invoices.list.routes.js'
import { invoicesRoutes } from './invoices.routes.js'
import { createInvoicesService, type InvoicesService } from './invoices.service.js'
import type { InvoiceRow } from './invoices.repository.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Invoices: `issue(tx, ...)` / `finalize` / `markPaid` / `void` inside the caller's transaction. */
    invoices: InvoicesService
  }
}

/** Invoices, shared by milestone releases and timesheets. */
export const invoicesModule = fp<{ clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const invoices = createInvoicesService({ clock, ids, notifications: app.notifications })
    app.decorate('invoices', invoices)
    // The live contract state shows invoices; the milestones module writes it (registered later).
    const afterVoid = async (invoice: InvoiceRow) => {
      if (app.hasDecorator('moneyLive')) await app.moneyLive.refresh(invoice.contractId)
    }
    await app.register(invoiceListRoutes, { listing: createInvoiceListing({ db: app.db }) })
    await app.register(invoicesRoutes, { invoices, afterVoid })
  },
  { name: 'invoices', dependencies: ['database', 'accounts', 'notifications'] },
)
