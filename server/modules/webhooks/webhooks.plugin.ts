import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { IdGenerator } from '../../ids.js'
import { NOTIFICATION_TYPES } from '../notifications/index.js'
import { createWebhookDispatcher, type NotifyOwner, type WebhookDispatcher } from './webhooks.dispatcher.js'
import { openapiWebhooks } from './webhooks.events.js'
import { webhooksRoutes } from './webhooks.routes.js'
import { createWebhooksService } from './webhooks.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The webhook outbox: `drain()` sends what is due now (the poll loop calls it; tests too). */
    webhooks: Pick<WebhookDispatcher, 'drain'>
  }
}

/**
 * Webhooks: endpoints (a user's, or an operator's instance-wide ones), a delivery for each
 * notification event written in the event's own transaction (through
 * `app.notifications.onNotified`), sent signed from a durable outbox every `WEBHOOK_POLL_MS`.
 */
export const webhooksModule = fp<{ config: Config; clock: Clock; ids: IdGenerator }>(
  async (app, { config, clock, ids }) => {
    const policy = { allowPrivate: config.webhookAllowPrivate }
    const notifyOwner: NotifyOwner = async (tx, endpoint, failures) => {
      await app.notifications.notify(tx, {
        type: 'webhook.disabled',
        userIds: [endpoint.ownerId],
        subject: { kind: 'webhook_endpoint', id: endpoint.id },
        title: `Your webhook to ${new URL(endpoint.url).host} was turned off after ${failures} failed attempts in a row`,
        link: '/settings',
        data: { endpointId: endpoint.id, url: endpoint.url, failures },
      })
    }
    const dispatcher = createWebhookDispatcher({
      db: app.db,
      clock,
      ids,
      policy,
      publicUrl: config.publicUrl,
      timeoutMs: config.webhookTimeoutMs,
      disableAfterFailures: config.webhookDisableAfterFailures,
      notifyOwner,
      log: app.log,
    })
    app.notifications.onNotified((event, tx) => dispatcher.enqueue(event, tx))
    app.decorate('webhooks', { drain: dispatcher.drain })
    Object.assign(app.openapiWebhooks, openapiWebhooks(NOTIFICATION_TYPES))

    const webhooks = createWebhooksService({ db: app.db, clock, ids, policy, eventTypes: NOTIFICATION_TYPES })
    await app.register(webhooksRoutes, { webhooks })

    let timer: NodeJS.Timeout | undefined
    if (config.webhookPollMs > 0) {
      const tick = () => {
        dispatcher
          .drain()
          .catch((err: unknown) => app.log.error({ err }, 'webhook outbox pass failed'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, config.webhookPollMs).unref()
          })
      }
      app.addHook('onReady', async () => {
        timer = setTimeout(tick, config.webhookPollMs).unref()
      })
    }
    // preClose: before the database closes under a running pass.
    app.addHook('preClose', async () => {
      clearTimeout(timer)
      timer = undefined
      await dispatcher.idle()
    })
  },
  { name: 'webhooks', dependencies: ['database', 'openapi', 'accounts', 'notifications'] },
)
