import type { EventsService } from '../events/index.js'

/** What hourly work needs of the event stream: publish after commit, at most once, never throws. */
export type LivePublisher = Pick<EventsService, 'publish'>

/** A week's recorded time changed: segments stored or removed, a screenshot added, deleted or rejected. */
export interface WeekChange {
  contractId: string
  weekStart: Date
}

/** Called after the change committed, once per change; it never throws into the caller. */
export type WeekChanged = (change: WeekChange) => Promise<void>

/**
 * Who hears about changed weeks. Modules built on the tracker (timesheets: the running
 * amount) subscribe here, so the tracker and Work View never import them.
 */
export function createWeekChanges(log: { warn(obj: object, msg: string): void }) {
  const listeners: WeekChanged[] = []
  const emit: WeekChanged = async (change) => {
    for (const listener of listeners) {
      try {
        await listener(change)
      } catch (err) {
        log.warn({ err, contractId: change.contractId }, 'week change listener failed')
      }
    }
  }
  return {
    subscribe(listener: WeekChanged): void {
      listeners.push(listener)
    },
    emit,
  }
}

export type WeekChanges = ReturnType<typeof createWeekChanges>
