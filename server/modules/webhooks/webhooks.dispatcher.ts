import type { Database, Transaction } from '../../../db/client.js'
import { DAY, HOUR, type Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { eventBody, type SourceEvent } from './webhooks.events.js'
import { createWebhooksRepository, type ClaimedDelivery, type EndpointRow } from './webhooks.repository.js'
import { signatureHeader } from './webhooks.signature.js'
import { postOnce, type AttemptOutcome, type TargetPolicy } from './webhooks.target.js'

/** A delivery is retried for this long after the first attempt of its run, then marked failed. */
export const RETRY_WINDOW_MS = 3 * DAY
const FIRST_RETRY_MS = 30_000
const LONGEST_WAIT_MS = 12 * HOUR
/** Deliveries claimed and sent at once by one instance. */
const BATCH = 20

/**
 * The wait after the n-th failed attempt of a run: 30 s, doubling, at most 12 h, each
 * spread by ±25 % so that endpoints that failed together are not retried together.
 */
export function retryDelay(failedAttempts: number, random: () => number = Math.random): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1), LONGEST_WAIT_MS)
  return Math.round(base * (0.75 + random() * 0.5))
}

/** What the dispatcher needs of the notifications module: telling an owner their endpoint was turned off. */
export type NotifyOwner = (tx: Transaction, endpoint: EndpointRow, failures: number) => Promise<void>

export interface DispatcherOptions {
  db: Database
  clock: Clock
  ids: IdGenerator
  policy: TargetPolicy
  publicUrl: string
  timeoutMs: number
  disableAfterFailures: number
  notifyOwner: NotifyOwner
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }
  random?: () => number
}

/**
 * The webhook outbox. `enqueue` writes one delivery per matching endpoint inside the event's
 * own transaction, so an event and its deliveries commit (or vanish) together. `drain` claims
 * due deliveries (FOR UPDATE SKIP LOCKED: one instance each), leases them for twice the
 * timeout (a crash mid-send makes them due again then: at-least-once), POSTs them signed, and
 * records each attempt. A 2xx acknowledges; anything else is retried with backoff.
 */
export function createWebhookDispatcher(options: DispatcherOptions) {
  const { db, clock, ids, policy, publicUrl, timeoutMs, disableAfterFailures, notifyOwner, log } = options
  const random = options.random ?? Math.random
  const leaseMs = 2 * timeoutMs + 5_000
  let running: Promise<number> | null = null

  async function enqueue(event: SourceEvent, tx: Transaction): Promise<void> {
    const repo = createWebhooksRepository(tx)
    const endpoints = await repo.matching(
      event.type,
      event.recipients.map((r) => r.userId),
    )
    if (endpoints.length === 0) return
    const now = clock.now()
    await repo.insertDeliveries(
      endpoints.map((endpoint) => ({
        id: ids.newId(),
        endpointId: endpoint.id,
        eventId: event.eventId,
        eventType: event.type,
        body: eventBody(event, endpoint.scope as 'user' | 'instance', publicUrl),
        status: 'pending',
        nextAttemptAt: now,
        createdAt: now,
        runStartedAt: now,
      })),
    )
  }

  async function send({ delivery, endpoint }: ClaimedDelivery): Promise<AttemptOutcome> {
    return postOnce(
      endpoint.url,
      delivery.body,
      {
        'content-type': 'application/json',
        'user-agent': 'Workroom-Webhooks/1',
        'workroom-event-id': delivery.eventId,
        'workroom-event-type': delivery.eventType,
        'workroom-delivery-id': delivery.id,
        'workroom-delivery-attempt': String(delivery.attempts),
        'workroom-signature': signatureHeader(endpoint.secret, delivery.body, clock.now()),
      },
      { timeoutMs, policy },
    )
  }

  async function record(claimed: ClaimedDelivery, at: Date, outcome: AttemptOutcome): Promise<void> {
    await db.transaction(async (tx) => {
      const repo = createWebhooksRepository(tx)
      const endpoint = await repo.find(claimed.endpoint.id, { lock: true })
      const delivery = endpoint && (await repo.findDelivery(endpoint.id, claimed.delivery.id, { lock: true }))
      if (!endpoint || !delivery) return // deleted meanwhile
      await repo.insertAttempt({
        id: ids.newId(),
        deliveryId: delivery.id,
        attempt: claimed.delivery.attempts,
        at,
        statusCode: outcome.statusCode,
        durationMs: outcome.durationMs,
        error: outcome.error,
      })
      const now = clock.now()
      const last = {
        lastStatusCode: outcome.statusCode,
        lastDurationMs: outcome.durationMs,
        lastError: outcome.error,
      }
      const acknowledged = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300
      if (acknowledged) {
        await repo.updateDelivery(delivery.id, { ...last, status: 'delivered', deliveredAt: now })
        if (endpoint.consecutiveFailures > 0) await repo.updateEndpoint(endpoint.id, { consecutiveFailures: 0 })
        return
      }
      if (delivery.status === 'pending') {
        const next = new Date(now.getTime() + retryDelay(delivery.attempts, random))
        const giveUp = next.getTime() > delivery.runStartedAt.getTime() + RETRY_WINDOW_MS
        await repo.updateDelivery(delivery.id, {
          ...last,
          status: giveUp ? 'failed' : 'pending',
          nextAttemptAt: giveUp ? now : next,
        })
      }
      const failures = endpoint.consecutiveFailures + 1
      const disable = endpoint.disabledAt === null && failures >= disableAfterFailures
      const updated = await repo.updateEndpoint(endpoint.id, {
        consecutiveFailures: failures,
        ...(disable ? { disabledAt: now, disabledReason: 'failing', updatedAt: now } : {}),
      })
      if (disable) {
        log.warn({ endpoint: endpoint.id, failures }, 'webhook endpoint disabled after failed deliveries')
        await notifyOwner(tx, updated, failures)
      }
    })
  }

  async function attempt(claimed: ClaimedDelivery): Promise<void> {
    const at = clock.now()
    const outcome = await send(claimed)
    try {
      await record(claimed, at, outcome)
    } catch (err) {
      // The lease runs out and the delivery is sent again: at-least-once.
      log.error({ err, delivery: claimed.delivery.id }, 'could not record a webhook attempt')
    }
  }

  async function drainAll(): Promise<number> {
    let sent = 0
    for (;;) {
      const now = clock.now()
      const batch = await db.transaction((tx) =>
        createWebhooksRepository(tx).claimDue(now, BATCH, new Date(now.getTime() + leaseMs)),
      )
      if (batch.length === 0) return sent
      await Promise.all(batch.map(attempt))
      sent += batch.length
    }
  }

  return {
    enqueue,
    /** Sends every delivery due now (once each, across instances); resolves with how many were attempted. */
    drain(): Promise<number> {
      // One pass at a time per instance; a caller arriving meanwhile waits for it, then runs its own.
      const next = (running ?? Promise.resolve(0)).catch(() => 0).then(drainAll)
      running = next
      return next
    },
    /** Resolves when no pass is running (shutdown waits for it). */
    async idle(): Promise<void> {
      await running?.catch(() => 0)
    },
  }
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>
