import { eq } from 'drizzle-orm'
import { feedbackTable, feedbackWindowsTable } from '../../../db/schema/index.js'
import type { ReminderSpec } from '../../plugins/scheduler.js'
import { contractParties, noticeDeadline } from '../contracts/index.js'

/** 24 h before the feedback window closes: each party who has not left feedback yet. */
export const feedbackWindowReminder: ReminderSpec = {
  async describe(deadline, tx) {
    const [window] = await tx
      .select({ revealedAt: feedbackWindowsTable.revealedAt })
      .from(feedbackWindowsTable)
      .where(eq(feedbackWindowsTable.contractId, deadline.subject))
      .limit(1)
    if (!window || window.revealedAt) return null
    const about = await contractParties(tx, deadline.subject)
    if (!about) return null
    const left = await tx
      .select({ authorId: feedbackTable.authorId })
      .from(feedbackTable)
      .where(eq(feedbackTable.contractId, deadline.subject))
    const done = new Set(left.map((f) => f.authorId))
    const userIds = [about.clientId, about.freelancerId].filter((id) => !done.has(id))
    if (userIds.length === 0) return null
    return {
      userIds,
      title: `The feedback window of “${about.jobTitle}” closes on ${noticeDeadline(deadline.dueAt)}: leave your feedback before then`,
      link: about.link,
      subject: { kind: 'contract', id: about.contractId },
      workroomId: about.workroomId,
      contractId: about.contractId,
    }
  },
}
