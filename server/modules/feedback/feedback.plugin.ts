import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { noticeReveal } from './feedback.notices.js'
import { receivedFeedbackRoutes } from './feedback.received.js'
import { feedbackRoutes } from './feedback.routes.js'
import { feedbackWindowReminder } from './feedback.reminders.js'
import { createFeedbackService, FEEDBACK_REVEAL_KIND, type FeedbackService } from './feedback.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Double-blind feedback; `onRevealed(hook)` for modules that react to a reveal (reputation). */
    feedback: FeedbackService
  }
}

/** Feedback on ended contracts: windows, double-blind reveal, replies. */
export const feedbackModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { config, clock, ids }) => {
    const settings = { feedbackReplyDays: config.feedbackReplyDays }
    const feedback = createFeedbackService({
      db: app.db,
      clock,
      ids,
      scheduler: app.scheduler,
      events: app.hasDecorator('events') ? app.events : null,
      contracts: app.contracts,
      settings,
      operatorSettings: app.settings,
    })
    app.decorate('feedback', feedback)
    feedback.onRevealed(noticeReveal(app.notifications))
    app.contracts.onStateChange((change, tx) => feedback.contractChanged(change, tx))
    app.scheduler.register(FEEDBACK_REVEAL_KIND, (deadline, tx, context) =>
      feedback.closeWindow(deadline.subject, tx, context),
    )
    app.scheduler.remindBefore(FEEDBACK_REVEAL_KIND, feedbackWindowReminder)
    await app.register(feedbackRoutes, { feedback, settings })
    await app.register(receivedFeedbackRoutes, { settings, now: () => clock.now() })
  },
  { name: 'feedback', dependencies: ['database', 'scheduler', 'accounts', 'contracts', 'settings', 'notifications'] },
)
