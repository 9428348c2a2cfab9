import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { toNotificationDto } from './notifications.dto.js'
import type { EmailChannel } from './notifications.email.js'
import { notificationErrors } from './notifications.errors.js'
import {
  NotificationList,
  NotificationListQuery,
  Preferences,
  PreferencesBody,
  ReadBody,
  ReadResult,
  UnsubscribeBody,
  UnsubscribeQuery,
  UnsubscribeView,
} from './notifications.schemas.js'
import type { NotificationsService } from './notifications.service.js'
import { DEFAULT_CHANNELS, type NotificationCategory } from './notifications.types.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody }
const tags = ['notifications']

export const notificationsRoutes: FastifyPluginAsyncTypebox<{
  notifications: NotificationsService
  email: EmailChannel
}> = async (app, { notifications, email }) => {
  // RFC 8058: mail clients POST `List-Unsubscribe=One-Click` as a form.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })

  app.get(
    '/api/v1/notifications',
    {
      schema: {
        tags,
        summary: 'The caller’s notifications, newest first, with the unread count',
        querystring: NotificationListQuery,
        response: { 200: NotificationList, ...errors },
      },
    },
    async (request) => {
      const { items, nextCursor, unread } = await notifications.list(requireSession(request).user.id, {
        limit: request.query.limit ?? 20,
        cursor: request.query.cursor,
        unreadOnly: request.query.unread === true,
      })
      return { items: items.map(toNotificationDto), nextCursor, unread }
    },
  )

  app.post(
    '/api/v1/notifications/read',
    {
      schema: {
        tags,
        summary: 'Mark notifications read: `{ ids }` (the caller’s own; others are ignored) or `{ all: true }`',
        body: ReadBody,
        response: { 200: ReadResult, ...errors },
      },
    },
    async (request) => {
      const { ids, all } = request.body
      if ((ids === undefined) === (all === undefined)) throw notificationErrors.readWhat()
      return notifications.markRead(requireSession(request).user.id, ids ? { ids } : { all: true })
    },
  )

  app.get(
    '/api/v1/me/notification-preferences',
    {
      schema: {
        tags,
        summary: 'How the caller hears of each category of notification',
        response: { 200: Preferences, ...errors },
      },
    },
    async (request) => ({
      categories: await notifications.preferences(requireSession(request).user.id),
      defaults: { ...DEFAULT_CHANNELS },
    }),
  )

  app.put(
    '/api/v1/me/notification-preferences',
    {
      schema: {
        tags,
        summary: 'Change the channel of some categories (the others keep theirs)',
        description: '`account` cannot be `off` (sign-in and security news).',
        body: PreferencesBody,
        response: { 200: Preferences, ...errors },
      },
    },
    async (request) => ({
      categories: await notifications.setPreferences(requireSession(request).user.id, request.body.categories),
      defaults: { ...DEFAULT_CHANNELS },
    }),
  )

  app.get(
    '/api/v1/unsubscribe',
    {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'What an unsubscribe link from a mail turns off (no sign-in needed)',
        querystring: UnsubscribeQuery,
        response: { 200: UnsubscribeView, 400: ErrorBody },
      },
    },
    async (request) => {
      const target = email.readUnsubscribeToken(request.query.token)
      if (!target) throw notificationErrors.badUnsubscribeLink()
      const current = await notifications.preferences(target.userId)
      return { categories: target.categories, email: target.categories.some((c) => current[c] === 'email') }
    },
  )

  app.post(
    '/api/v1/unsubscribe',
    {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'One-click unsubscribe (RFC 8058): the link’s categories stop sending email',
        description:
          'Mail clients POST `List-Unsubscribe=One-Click` (form-encoded) to the List-Unsubscribe address. ' +
          'A category sending email or a digest becomes `in_app`; the notifications stay in the app.',
        querystring: UnsubscribeQuery,
        body: UnsubscribeBody,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        response: { 200: UnsubscribeView, 400: ErrorBody },
      },
    },
    async (request) => {
      const target = email.readUnsubscribeToken(request.query.token)
      if (!target) throw notificationErrors.badUnsubscribeLink()
      const current = await notifications.preferences(target.userId)
      const changes: Partial<Record<NotificationCategory, 'in_app'>> = {}
      for (const c of target.categories) if (current[c] === 'email' || current[c] === 'digest') changes[c] = 'in_app'
      if (Object.keys(changes).length) await notifications.setPreferences(target.userId, changes)
      return { categories: target.categories, email: false }
    },
  )
}
