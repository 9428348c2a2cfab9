import { sql } from 'drizzle-orm'
import type { Database } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import type { IdGenerator } from '../../ids.js'
import { webhookErrors } from './webhooks.errors.js'
import {
  createWebhooksRepository,
  type AttemptRow,
  type DeliveryRow,
  type DeliveryStatus,
  type EndpointRow,
} from './webhooks.repository.js'
import type { CreateEndpointInput, UpdateEndpointInput } from './webhooks.schemas.js'
import { newSecret } from './webhooks.signature.js'
import { checkTarget, TargetRefused, type TargetPolicy } from './webhooks.target.js'

/** How many endpoints one account may register (instance-wide ones included). */
export const MAX_ENDPOINTS_PER_USER = 20

export interface Caller {
  id: string
  operator: boolean
}

/**
 * Endpoints and their delivery log, for their owner. An instance-wide endpoint belongs to
 * every operator (any operator sees and manages it); anyone else is told it does not exist.
 */
export function createWebhooksService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  policy: TargetPolicy
  eventTypes: readonly string[]
}) {
  const { db, clock, ids, policy, eventTypes } = deps
  const repo = createWebhooksRepository(db)
  const known = new Set(eventTypes)

  function canSee(caller: Caller, endpoint: EndpointRow): boolean {
    return endpoint.ownerId === caller.id || (endpoint.scope === 'instance' && caller.operator)
  }

  async function visible(caller: Caller, id: string, executor = repo): Promise<EndpointRow> {
    const endpoint = await executor.find(id)
    if (!endpoint || !canSee(caller, endpoint)) throw webhookErrors.notFound()
    return endpoint
  }

  async function checkedUrl(raw: string): Promise<string> {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw webhookErrors.badUrl()
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw webhookErrors.badUrl()
    try {
      await checkTarget(url, policy)
    } catch (err) {
      if (err instanceof TargetRefused) throw webhookErrors.targetRefused(err.message)
      throw webhookErrors.targetRefused(`${url.hostname} could not be resolved`)
    }
    return url.toString()
  }

  function checkedTypes(types: readonly string[]): string[] {
    if (types.includes('*')) return ['*']
    const unknown = types.find((type) => !known.has(type))
    if (unknown) throw webhookErrors.unknownEventType(`"${unknown}" is not an event type`, { field: 'eventTypes' })
    return [...types]
  }

  return {
    eventTypes,

    async create(caller: Caller, input: CreateEndpointInput): Promise<{ endpoint: EndpointRow; secret: string }> {
      const scope = input.scope ?? 'user'
      if (scope === 'instance' && !caller.operator) throw webhookErrors.instanceScopeForOperators()
      const types = checkedTypes(input.eventTypes)
      const url = await checkedUrl(input.url)
      const secret = newSecret()
      const endpoint = await db.transaction(async (tx) => {
        const txRepo = createWebhooksRepository(tx)
        // Serializes one owner's creations so the cap holds under concurrent requests.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`webhooks:${caller.id}`}))`)
        if ((await txRepo.countOwned(caller.id)) >= MAX_ENDPOINTS_PER_USER) throw webhookErrors.tooMany()
        const now = clock.now()
        return txRepo.insertEndpoint({
          id: ids.newId(),
          ownerId: caller.id,
          scope,
          url,
          description: input.description ?? '',
          eventTypes: types,
          secret,
          createdAt: now,
          updatedAt: now,
        })
      })
      return { endpoint, secret }
    },

    list(caller: Caller): Promise<EndpointRow[]> {
      return repo.listVisible(caller.id, caller.operator)
    },

    get(caller: Caller, id: string): Promise<EndpointRow> {
      return visible(caller, id)
    },

    async update(caller: Caller, id: string, input: UpdateEndpointInput): Promise<EndpointRow> {
      await visible(caller, id)
      const url = input.url === undefined ? undefined : await checkedUrl(input.url)
      const types = input.eventTypes === undefined ? undefined : checkedTypes(input.eventTypes)
      return db.transaction(async (tx) => {
        const txRepo = createWebhooksRepository(tx)
        const endpoint = await txRepo.find(id, { lock: true })
        if (!endpoint || !canSee(caller, endpoint)) throw webhookErrors.notFound()
        const now = clock.now()
        const enabling = input.enabled === true && endpoint.disabledAt !== null
        const disabling = input.enabled === false && endpoint.disabledAt === null
        return txRepo.updateEndpoint(id, {
          ...(url !== undefined ? { url } : {}),
          ...(types !== undefined ? { eventTypes: types } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(enabling ? { disabledAt: null, disabledReason: null, consecutiveFailures: 0 } : {}),
          ...(disabling ? { disabledAt: now, disabledReason: 'manual' } : {}),
          updatedAt: now,
        })
      })
    },

    async remove(caller: Caller, id: string): Promise<void> {
      await visible(caller, id)
      await repo.deleteEndpoint(id)
    },

    /** A new secret, effective at once for every delivery not yet sent. */
    async rotateSecret(caller: Caller, id: string): Promise<string> {
      await visible(caller, id)
      const secret = newSecret()
      await repo.updateEndpoint(id, { secret, updatedAt: clock.now() })
      return secret
    },

    async deliveries(
      caller: Caller,
      input: { endpointId: string; status?: DeliveryStatus; cursor?: string; limit: number },
    ): Promise<{ items: DeliveryRow[]; nextCursor: string | null }> {
      await visible(caller, input.endpointId)
      const after = input.cursor ? parseTimeIdCursor(input.cursor) : null
      const rows = await repo.listDeliveries({ ...input, after })
      const items = rows.slice(0, input.limit)
      const last = items.at(-1)
      return { items, nextCursor: rows.length > input.limit && last ? timeIdCursor(last.createdAt, last.id) : null }
    },

    async delivery(
      caller: Caller,
      endpointId: string,
      deliveryId: string,
    ): Promise<{ delivery: DeliveryRow; attempts: AttemptRow[] }> {
      await visible(caller, endpointId)
      const delivery = await repo.findDelivery(endpointId, deliveryId)
      if (!delivery) throw webhookErrors.deliveryNotFound()
      return { delivery, attempts: await repo.attemptsOf(delivery.id) }
    },

    /** Sends a delivered or failed event again (same event id, same body), as a new run of retries. */
    async redeliver(caller: Caller, endpointId: string, deliveryId: string): Promise<DeliveryRow> {
      await visible(caller, endpointId)
      return db.transaction(async (tx) => {
        const txRepo = createWebhooksRepository(tx)
        const delivery = await txRepo.findDelivery(endpointId, deliveryId, { lock: true })
        if (!delivery) throw webhookErrors.deliveryNotFound()
        if (delivery.status === 'pending') throw webhookErrors.alreadyPending()
        const now = clock.now()
        return txRepo.updateDelivery(delivery.id, { status: 'pending', nextAttemptAt: now, runStartedAt: now })
      })
    },
  }
}

export type WebhooksService = ReturnType<typeof createWebhooksService>
