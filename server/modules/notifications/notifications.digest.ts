import type { Database, Executor } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import type { Scheduler } from '../../plugins/scheduler.js'
import type { EmailChannel } from './notifications.email.js'
import { hasPendingDigest } from './notifications.repository.js'

export const DIGEST_KIND = 'notifications.digest'
/** The daily digest goes out at this hour, UTC. */
export const DIGEST_HOUR_UTC = 7

/** The next digest time strictly after `now`. */
export function nextDigestAt(now: Date): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), DIGEST_HOUR_UTC))
  if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1)
  return at
}

export interface Digest {
  /** Makes sure the next digest runs; called in the transaction that leaves a notification for it. */
  ensureScheduled(executor: Executor): Promise<void>
}

/**
 * The digest is a durable deadline per day (subject: the date), scheduled when a notification
 * waits for it: it runs once however many instances run and after a restart, and a day with
 * nothing to send has no deadline at all.
 */
export async function registerDigest(deps: {
  db: Database
  scheduler: Scheduler
  clock: Clock
  email: EmailChannel
}): Promise<Digest> {
  const { db, scheduler, clock, email } = deps
  const ensureScheduled = async (executor: Executor) => {
    const at = nextDigestAt(clock.now())
    await scheduler.schedule({ kind: DIGEST_KIND, subject: at.toISOString().slice(0, 10), dueAt: at }, executor)
  }
  scheduler.register(DIGEST_KIND, async (_deadline, tx) => {
    while ((await email.sendDigests(tx)) > 0) {
      // Batches of people until none is left waiting.
    }
  })
  // Notifications left waiting by an older version or a lost deadline still go out.
  if (await hasPendingDigest(db)) await ensureScheduled(db)
  return { ensureScheduled }
}
