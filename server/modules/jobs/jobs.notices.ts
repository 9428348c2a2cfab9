import type { Transaction } from '../../../db/client.js'
import { createAccountsRepository } from '../accounts/index.js'
import type { NotificationsService } from '../notifications/index.js'
import type { JobRow } from './jobs.repository.js'

/** The invited freelancer hears of the invite, with a link to the job post they can propose on. */
export async function noticeInvite(
  notifications: Pick<NotificationsService, 'notify'>,
  tx: Transaction,
  input: { job: JobRow; clientId: string; freelancerId: string },
): Promise<void> {
  const { job } = input
  const client = await createAccountsRepository(tx).findUserById(input.clientId)
  await notifications.notify(tx, {
    type: 'invite.received',
    userIds: [input.freelancerId],
    workroomId: job.workroomId,
    subject: { kind: 'job', id: job.id },
    title: `${client?.name ?? 'A client'} invited you to propose on “${job.title}”`,
    link: `/jobs/${job.id}`,
    data: { jobId: job.id },
  })
}
