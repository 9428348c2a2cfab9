// The events module's public entry: code outside the module imports only this file.
export { eventsModule } from './events.plugin.js'
export type { Presence } from './events.presence.js'
export { EVENTS_TOPIC, type EventFrame, type EventsBusMessage, type EventsService } from './events.service.js'
