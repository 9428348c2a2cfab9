import type { Bus } from '../../plugins/bus.js'
import type { Clock } from '../../clock.js'

/** What a module publishes to people's event streams. */
export interface UserEvent {
  /** `message.created`, `file.uploaded`, `thread.read`, ... */
  type: string
  workroomId?: string
  /** Plain JSON; it goes to exactly the users named, so it may hold what they may see. */
  data: object
}

/** The JSON text frame each socket receives. */
export interface EventFrame {
  type: string
  workroomId: string | null
  data: object
  at: string
}

/** One bus message per publish; every instance delivers it to its own sockets of those users. */
export interface EventsBusMessage {
  userIds: string[]
  frame: EventFrame
}

/**
 * All events go through a single bus topic that every instance subscribes to at start-up:
 * a socket is reachable from the moment it is registered (no per-user subscription to wait
 * for), and a publish is one bus message however many users it names.
 */
export const EVENTS_TOPIC = 'events'

export interface EventsService {
  /**
   * Pushes an event to every open event stream of these users, on every instance. Call it
   * after the state change committed. At most once, and it never throws: the database is
   * the truth, a missed event is caught up by reading it.
   */
  publish(userIds: readonly string[], event: UserEvent): Promise<void>
}

export function createEventsService(deps: {
  bus: Pick<Bus, 'publish'>
  clock: Clock
  log: { warn(obj: object, msg: string): void }
}): EventsService {
  return {
    async publish(userIds, event) {
      const unique = [...new Set(userIds)]
      if (unique.length === 0) return
      const message: EventsBusMessage = {
        userIds: unique,
        frame: {
          type: event.type,
          workroomId: event.workroomId ?? null,
          data: event.data,
          at: deps.clock.now().toISOString(),
        },
      }
      try {
        await deps.bus.publish(EVENTS_TOPIC, message)
      } catch (err) {
        deps.log.warn({ err, type: event.type }, 'event not published')
      }
    },
  }
}
