import { eq } from 'drizzle-orm'
import { contractsTable } from '../../../db/schema/index.js'
import type { ReminderSpec } from '../../plugins/scheduler.js'
import { contractParties, noticeDeadline } from './contracts.parties.js'

/** 24 h before an offer expires: the freelancer, while the offer is still unanswered. */
export const offerExpiryReminder: ReminderSpec = {
  async describe(deadline, tx) {
    const [contract] = await tx
      .select({ state: contractsTable.state })
      .from(contractsTable)
      .where(eq(contractsTable.id, deadline.subject))
      .limit(1)
    if (contract?.state !== 'offered') return null
    const about = await contractParties(tx, deadline.subject)
    if (!about) return null
    return {
      userIds: [about.freelancerId],
      title: `${about.clientName}'s offer for “${about.jobTitle}” expires on ${noticeDeadline(deadline.dueAt)}: accept or decline it`,
      link: about.link,
      subject: { kind: 'contract', id: about.contractId },
      workroomId: about.workroomId,
      contractId: about.contractId,
    }
  },
}
