import { eq } from 'drizzle-orm'
import { timesheetsTable } from '../../../db/schema/index.js'
import type { ReminderSpec } from '../../plugins/scheduler.js'
import { contractParties, noticeDeadline } from '../contracts/index.js'

/** 24 h before a submitted week is approved automatically: the client, who reviews it. */
export const autoApproveReminder: ReminderSpec = {
  async describe(deadline, tx) {
    const [sheet] = await tx
      .select({
        id: timesheetsTable.id,
        state: timesheetsTable.state,
        contractId: timesheetsTable.contractId,
        weekStart: timesheetsTable.weekStart,
      })
      .from(timesheetsTable)
      .where(eq(timesheetsTable.id, deadline.subject))
      .limit(1)
    if (sheet?.state !== 'submitted') return null
    const about = await contractParties(tx, sheet.contractId)
    if (!about) return null
    return {
      userIds: [about.clientId],
      title: `${about.freelancerName}'s timesheet for the week of ${sheet.weekStart.toISOString().slice(0, 10)} on “${about.jobTitle}” is approved and paid automatically on ${noticeDeadline(deadline.dueAt)}: review it before then`,
      link: `${about.link}/timesheets`,
      subject: { kind: 'timesheet', id: sheet.id },
      workroomId: about.workroomId,
      contractId: about.contractId,
    }
  },
}
