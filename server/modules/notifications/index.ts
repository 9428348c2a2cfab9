// The notifications module's public entry: code outside the module imports only this file.
export { notificationsModule } from './notifications.plugin.js'
export type { NotificationsService } from './notifications.service.js'
export {
  ALWAYS_ON,
  CATEGORY_OF,
  DEFAULT_CHANNELS,
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_TYPES,
  isNotificationType,
  type NotificationCategory,
  type NotificationChannel,
  type NotificationInput,
  type NotificationType,
  type NotifiedEvent,
  type NotifiedListener,
  type NotifyContext,
} from './notifications.types.js'
export { DIGEST_HOUR_UTC, DIGEST_KIND, nextDigestAt } from './notifications.digest.js'
export { toNotificationDto } from './notifications.dto.js'
