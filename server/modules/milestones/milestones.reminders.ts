import { eq } from 'drizzle-orm'
import { milestonesTable } from '../../../db/schema/index.js'
import type { ReminderSpec } from '../../plugins/scheduler.js'
import { contractParties, noticeDeadline } from '../contracts/index.js'

/** 24 h before a submitted milestone is released automatically: the client, who reviews it. */
export const autoReleaseReminder: ReminderSpec = {
  async describe(deadline, tx) {
    const [milestone] = await tx
      .select({
        id: milestonesTable.id,
        title: milestonesTable.title,
        state: milestonesTable.state,
        contractId: milestonesTable.contractId,
      })
      .from(milestonesTable)
      .where(eq(milestonesTable.id, deadline.subject))
      .limit(1)
    if (milestone?.state !== 'submitted') return null
    const about = await contractParties(tx, milestone.contractId)
    if (!about) return null
    return {
      userIds: [about.clientId],
      title: `“${milestone.title}” on “${about.jobTitle}” is released automatically on ${noticeDeadline(deadline.dueAt)}: approve it or ask for changes before then`,
      link: about.link,
      subject: { kind: 'milestone', id: milestone.id },
      workroomId: about.workroomId,
      contractId: about.contractId,
    }
  },
}
