import { contractParties } from '../contracts/index.js'
import type { NotificationsService } from '../notifications/index.js'
import type { RevealHook } from './feedback.service.js'

/**
 * A reveal hook: feedback became visible. The party who left the second feedback (and so
 * revealed both) sees it at once and is not notified; at the window's close both parties are.
 * Each learns the rating they got, or that the other party left none.
 */
export function noticeReveal(notifications: Pick<NotificationsService, 'notify'>): RevealHook {
  return async ({ contract, reveal, feedback, actorId }, tx, context) => {
    const about = await contractParties(tx, contract.id)
    if (!about) return
    // othersOf(null): both parties (the window closed).
    for (const userId of about.othersOf(actorId)) {
      const received = feedback.find((row) => row.subjectId === userId)
      const other = about.othersOf(userId)[0] ?? null
      await notifications.notify(
        tx,
        {
          type: 'feedback.revealed',
          userIds: [userId],
          workroomId: about.workroomId,
          contractId: about.contractId,
          subject: { kind: 'contract', id: about.contractId },
          title: received
            ? `Feedback on “${about.jobTitle}” is revealed: ${about.nameOf(received.authorId)} rated you ${(received.score / 100).toFixed(1)} out of 5`
            : `Your feedback on “${about.jobTitle}” is now public; ${about.nameOf(other)} left none`,
          link: about.link,
          data: { revealedBy: reveal.by, feedbackId: received?.id ?? null },
        },
        context,
      )
    }
  }
}
