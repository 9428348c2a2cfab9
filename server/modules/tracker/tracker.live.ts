import type { EventsService } from '../events/index.js'

/** What hourly work needs of the event stream: publish after commit, at most once, never throws. */
export type LivePublisher = Pick<EventsService, 'publish'>
