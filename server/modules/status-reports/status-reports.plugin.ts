import { eq } from 'drizzle-orm'
import fp from 'fastify-plugin'
import { contractsTable } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { noticeReportMissing } from './status-reports.notices.js'
import { statusReportsRoutes } from './status-reports.routes.js'
import { createStatusReportsService, STATUS_CHECK_KIND } from './status-reports.service.js'

export const statusReportsModule = fp<{ clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const reports = createStatusReportsService({
      db: app.db,
      clock,
      ids,
      scheduler: app.scheduler,
      settings: app.settings,
      notifications: app.notifications,
    })

    /** Tells both parties on their event streams (after the commit). */
    const notify = async (contractId: string, type: string, data: object) => {
      if (!app.hasDecorator('events')) return
      const [contract] = await app.db.select().from(contractsTable).where(eq(contractsTable.id, contractId))
      if (contract)
        await app.events.publish([contract.clientId, contract.freelancerId], {
          type,
          workroomId: contract.workroomId,
          data,
        })
    }

    app.scheduler.register(STATUS_CHECK_KIND, async (deadline, tx, context) => {
      const result = await reports.check(tx, deadline)
      if (result?.flagged)
        await noticeReportMissing(
          app.notifications,
          tx,
          { contractId: result.contractId, weekStart: result.flagged },
          context,
        )
      // No after-commit step in a deadline handler: notify a moment later (notifications are at most once anyway).
      if (result?.flagged)
        setTimeout(
          () =>
            void notify(result.contractId, 'status_report.missing', {
              contractId: result.contractId,
              weekStart: result.flagged,
            }).catch(() => {}),
          20,
        ).unref()
    })
    if (app.hasDecorator('terms')) app.terms.onBound((tx, event) => reports.startWeeklyChecks(tx, event.contractId))

    await app.register(statusReportsRoutes, { reports, notify })
  },
  { name: 'status-reports', dependencies: ['database', 'scheduler', 'accounts', 'settings', 'notifications'] },
)
