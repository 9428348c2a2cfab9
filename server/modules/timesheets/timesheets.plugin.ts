import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { AUTO_SUBMIT_KIND, findContract } from '../tracker/index.js'
import { createDisputesService } from './timesheets.disputes.js'
import { COLLECT_KIND, retryPayment } from './timesheets.money.js'
import { createTimesheetsLiveState } from './timesheets.live.js'
import { createTimesheetNotices } from './timesheets.notices.js'
import { timesheetsRoutes } from './timesheets.routes.js'
import { AUTO_APPROVE_KIND, createTimesheetsService, DISPUTE_TIMEOUT_KIND } from './timesheets.service.js'
import { autoApproveReminder } from './timesheets.reminders.js'

/**
 * Weekly timesheets of hourly contracts: submit (or auto-submit at the week's submit
 * deadline), draft invoice, approve (or auto-approve when the review window ends) into a
 * formal invoice paid from the wallet, and hourly disputes. The deadlines come from the
 * operator's settings (default Monday 12:00 and Saturday 00:00 UTC). Money moves only
 * through the ledger and invoices modules.
 */
export const timesheetsModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const invoices = app.invoices
    const refreshState = createTimesheetsLiveState({
      db: app.db,
      contractState: () => (app.hasDecorator('contractState') ? app.contractState : null),
      log: app.log,
    })
    const deps = {
      db: app.db,
      clock,
      ids,
      scheduler: app.scheduler,
      live: app.events,
      ledger: app.ledger,
      invoices,
      settings: app.settings,
      refreshState,
      notices: createTimesheetNotices(app.notifications),
    }
    const timesheets = createTimesheetsService(deps)
    const disputes = createDisputesService(deps, timesheets)

    app.weekChanges.subscribe((change) => timesheets.weekChanged(change))
    app.scheduler.register(AUTO_SUBMIT_KIND, (deadline, tx, context) =>
      timesheets.autoSubmit(tx, context, deadline.subject),
    )
    app.scheduler.register(AUTO_APPROVE_KIND, (deadline, tx, context) =>
      timesheets.autoApprove(tx, context, deadline.subject),
    )
    app.scheduler.remindBefore(AUTO_APPROVE_KIND, autoApproveReminder)
    app.scheduler.register(DISPUTE_TIMEOUT_KIND, (deadline, tx, context) =>
      disputes.timeout(tx, context, deadline.subject),
    )
    app.scheduler.register(COLLECT_KIND, async (deadline, tx, context) => {
      const { invoiceId, timesheetId, attempt } = deadline.payload as {
        invoiceId: string
        timesheetId: string
        attempt: number
      }
      const invoice = await invoices.get(tx, invoiceId)
      const contract = invoice ? await findContract(tx, invoice.contractId) : null
      if (!invoice || !contract) return
      if ((await retryPayment(tx, deps, { contract, invoice, timesheetId, attempt })) === 'paid')
        context.afterCommit(() => refreshState(contract.id))
    })

    await app.register(timesheetsRoutes, { timesheets, disputes, idempotency: app.idempotency })
  },
  {
    name: 'timesheets',
    dependencies: [
      'database',
      'scheduler',
      'accounts',
      'settings',
      'events',
      'ledger',
      'invoices',
      'idempotency',
      'tracker',
      'notifications',
    ],
  },
)
