import { defineErrors } from '../../http/errors.js'

export const eventErrors = defineErrors({
  upgradeRequired: [426, 'events.upgrade_required', 'This endpoint is a WebSocket: open it with an Upgrade request'],
  tooManyConnections: [429, 'events.too_many_connections', 'Too many open event streams for this account'],
})
