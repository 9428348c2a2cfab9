import { defineErrors } from '../../http/errors.js'

export const notificationErrors = defineErrors({
  unknownType: [500, 'notifications.unknown_type', 'Unknown notification type'],
  readWhat: [400, 'notifications.read_what', 'Send either "ids" (the notifications to mark read) or "all": true'],
  cannotTurnOff: [
    400,
    'notifications.cannot_turn_off',
    'Account notifications (security) cannot be turned off; choose in_app, email or digest',
  ],
  badUnsubscribeLink: [
    400,
    'notifications.bad_unsubscribe_link',
    'This unsubscribe link is not valid or has expired; change your email settings in the app instead',
  ],
})
