import type { Transaction } from '../../../db/client.js'
import { createAccountsRepository } from '../accounts/index.js'
import type { JobRow } from '../jobs/index.js'
import type { NotificationsService } from '../notifications/index.js'
import type { ProposalRow } from './proposals.repository.js'

/** The client shortlisted or declined a proposal: its freelancer hears of it. */
export async function noticeProposalDecision(
  notifications: Pick<NotificationsService, 'notify'>,
  tx: Transaction,
  input: { proposal: ProposalRow; job: JobRow; clientId: string; state: 'shortlisted' | 'declined' },
): Promise<void> {
  const { proposal, job } = input
  const client = await createAccountsRepository(tx).findUserById(input.clientId)
  const who = client?.name ?? 'The client'
  await notifications.notify(tx, {
    type: input.state === 'shortlisted' ? 'proposal.shortlisted' : 'proposal.declined',
    userIds: [proposal.freelancerId],
    workroomId: proposal.workroomId,
    subject: { kind: 'proposal', id: proposal.id },
    title: `${who} ${input.state} your proposal for “${job.title}”`,
    link: `/workrooms/${proposal.workroomId}/proposals`,
    data: { jobId: job.id, proposalId: proposal.id },
  })
}
