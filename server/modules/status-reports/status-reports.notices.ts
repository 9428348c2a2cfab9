import type { Transaction } from '../../../db/client.js'
import { contractParties } from '../contracts/index.js'
import type { NotificationsService, NotifyContext } from '../notifications/index.js'

const weekOf = (weekStart: string) =>
  new Date(`${weekStart}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  })

/** The freelancer filed a week's report: the client hears of it. */
export async function noticeReportFiled(
  notifications: Pick<NotificationsService, 'notify'>,
  tx: Transaction,
  input: { contractId: string; reportId: string; weekStart: string; progress: number; authorId: string },
): Promise<void> {
  const about = await contractParties(tx, input.contractId)
  if (!about) return
  await notifications.notify(tx, {
    type: 'status_report.filed',
    userIds: about.othersOf(input.authorId),
    workroomId: about.workroomId,
    contractId: about.contractId,
    subject: { kind: 'status_report', id: input.reportId },
    title: `${about.nameOf(input.authorId)} filed the status report for the week of ${weekOf(input.weekStart)} on “${about.jobTitle}” (${input.progress}% done)`,
    link: about.link,
    data: { weekStart: input.weekStart, progress: input.progress },
  })
}

/** A week's report is missing at its due time: both parties hear of it (the freelancer can still file it). */
export async function noticeReportMissing(
  notifications: Pick<NotificationsService, 'notify'>,
  tx: Transaction,
  input: { contractId: string; weekStart: string },
  context: NotifyContext,
): Promise<void> {
  const about = await contractParties(tx, input.contractId)
  if (!about) return
  await notifications.notify(
    tx,
    {
      type: 'status_report.missing',
      userIds: [about.clientId, about.freelancerId],
      workroomId: about.workroomId,
      contractId: about.contractId,
      subject: { kind: 'contract', id: about.contractId },
      title: `No status report was filed for the week of ${weekOf(input.weekStart)} on “${about.jobTitle}”`,
      link: about.link,
      data: { weekStart: input.weekStart },
    },
    context,
  )
}
