import type { Clock } from '../../clock.js'
import type { Scheduler } from '../../plugins/scheduler.js'
import type { EmailChannel } from './notifications.email.js'

export const DIGEST_KIND = 'notifications.digest'
/** The daily digest goes out at this hour, UTC. */
export const DIGEST_HOUR_UTC = 7

/** The next digest time strictly after `now`. */
export function nextDigestAt(now: Date): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), DIGEST_HOUR_UTC))
  if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1)
  return at
}

/**
 * The digest is a durable deadline per day (subject: the date), so it runs once however many
 * instances run and after a restart; each run schedules the next day's.
 */
export async function registerDigest(deps: { scheduler: Scheduler; clock: Clock; email: EmailChannel }) {
  const { scheduler, clock, email } = deps
  const scheduleNext = async (executor?: Parameters<Scheduler['schedule']>[1]) => {
    const at = nextDigestAt(clock.now())
    await scheduler.schedule({ kind: DIGEST_KIND, subject: at.toISOString().slice(0, 10), dueAt: at }, executor)
  }
  scheduler.register(DIGEST_KIND, async (_deadline, tx) => {
    await email.sendDigests(tx)
    await scheduleNext(tx)
  })
  await scheduleNext()
}
