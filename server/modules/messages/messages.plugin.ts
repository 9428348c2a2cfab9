import fp from 'fastify-plugin'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { messagesRoutes } from './messages.routes.js'
import { createMessagesService, type MessagesService } from './messages.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    messages: MessagesService
  }
}

/** Private threads between the client and each freelancer: history, posting, read markers, live push. */
export const messagesModule = fp<{ clock: Clock; ids: IdGenerator }>(
  async (app, { clock, ids }) => {
    const messages = createMessagesService({
      db: app.db,
      clock,
      ids,
      events: app.events,
      notices: { notifications: app.notifications, presence: app.presence },
      parallelBatches: app.database.driver === 'pglite' ? 1 : 4,
      threadLookups: app.database.driver === 'pglite' ? 'together' : 'each',
    })
    app.decorate('messages', messages)
    await app.register(messagesRoutes, { messages })
  },
  { name: 'messages', dependencies: ['accounts', 'events', 'database', 'notifications'] },
)
