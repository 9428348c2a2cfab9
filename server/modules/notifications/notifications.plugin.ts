import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { createEmailChannel, type MailerLike, type SignerLike } from './notifications.email.js'
import { registerDigest } from './notifications.digest.js'
import { notificationsRoutes } from './notifications.routes.js'
import { createNotificationsService, type NotificationsService } from './notifications.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** `notify(tx, input, context?)` from any higher module; `onNotified(listener)` for channels (webhooks). */
    notifications: NotificationsService
  }
}

/**
 * Notifications: one row per person per event, written in the event's transaction; the
 * list, read and preference routes; email at once or in a daily digest (through `app.mail`
 * when it is registered); one-click unsubscribe (RFC 8058, links signed by `app.signer`);
 * `notification.created` frames on the recipients' event streams after commit.
 */
export const notificationsModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { config, clock, ids }) => {
    const decorated = app as unknown as { mail?: MailerLike; signer?: SignerLike }
    const email = createEmailChannel({
      mail: () => (app.hasDecorator('mail') ? (decorated.mail ?? null) : null),
      signer: () => (app.hasDecorator('signer') ? (decorated.signer ?? null) : null),
      publicUrl: config.publicUrl,
      clock,
    })
    const digest = await registerDigest({ db: app.db, scheduler: app.scheduler, clock, email })
    const notifications = createNotificationsService({
      db: app.db,
      clock,
      ids,
      events: app.hasDecorator('events') ? app.events : null,
      email,
      digest,
      log: app.log,
    })
    app.decorate('notifications', notifications)
    // Deadlines 24 h ahead: modules describe theirs with `app.scheduler.remindBefore(kind, ...)`.
    app.scheduler.onReminder(async (reminder, deadline, tx, context) => {
      await notifications.notify(
        tx,
        {
          type: 'deadline.reminder',
          ...reminder,
          data: { ...reminder.data, deadlineKind: deadline.kind, dueAt: deadline.dueAt.toISOString() },
        },
        context,
      )
    })
    await app.register(notificationsRoutes, { notifications, email })
  },
  { name: 'notifications', dependencies: ['database', 'scheduler', 'accounts', 'events'] },
)
