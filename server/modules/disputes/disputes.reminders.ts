import { eq } from 'drizzle-orm'
import { disputesTable } from '../../../db/schema/index.js'
import type { ReminderSpec } from '../../plugins/scheduler.js'
import { contractParties, noticeDeadline } from '../contracts/index.js'

/** 24 h before a dispute's answer is due: the other party, while it is still unanswered. */
export const responseReminder: ReminderSpec = {
  async describe(deadline, tx) {
    const [dispute] = await tx
      .select({
        id: disputesTable.id,
        state: disputesTable.state,
        openedBy: disputesTable.openedBy,
        contractId: disputesTable.contractId,
      })
      .from(disputesTable)
      .where(eq(disputesTable.id, deadline.subject))
      .limit(1)
    if (dispute?.state !== 'open') return null
    const about = await contractParties(tx, dispute.contractId)
    if (!about) return null
    return {
      userIds: about.othersOf(dispute.openedBy),
      title: `Answer ${about.nameOf(dispute.openedBy)}'s dispute on “${about.jobTitle}” by ${noticeDeadline(deadline.dueAt)}, or it is settled on their terms`,
      link: about.link,
      subject: { kind: 'dispute', id: dispute.id },
      workroomId: about.workroomId,
      contractId: about.contractId,
    }
  },
}
