import { EventEmitter } from 'node:events'
import fp from 'fastify-plugin'
import { createRedis } from '../redis.js'

export type BusHandler = (message: unknown) => void

/**
 * Messages between server instances (session revoked, event for a user...). In one
 * process it is an in-memory emitter; with REDIS_URL it is Redis pub/sub, and a message
 * reaches every instance, this one included, exactly through Redis.
 *
 * Delivery is at most once: use it for notifications whose truth lives in the database.
 */
export interface Bus {
  publish(topic: string, message: unknown): Promise<void>
  subscribe(topic: string, handler: BusHandler): () => void
  /**
   * Calls `handler` when the bus is back after an outage: messages published meanwhile
   * were lost, so whoever relies on them re-reads the truth from the database.
   */
  onResume(handler: () => void): () => void
  /** Rejects when the bus cannot carry messages now (readiness). */
  ping(): Promise<void>
  close(): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    bus: Bus
  }
}

export function createMemoryBus(): Bus {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    async publish(topic, message) {
      // Cloned and delivered on a later tick, like a real bus: no handler sees the sender's object.
      const copy = structuredClone(message)
      setImmediate(() => emitter.emit(topic, copy))
    },
    subscribe(topic, handler) {
      emitter.on(topic, handler)
      return () => emitter.off(topic, handler)
    },
    onResume() {
      return () => {}
    },
    async ping() {},
    async close() {
      emitter.removeAllListeners()
    },
  }
}

type Log = Parameters<typeof createRedis>[1]

export async function createRedisBus(url: string, log: Log): Promise<Bus> {
  // Commands fail fast while Redis is away (readiness, publishes) instead of queueing.
  const publisher = createRedis(url, log, 'bus publisher', { maxRetriesPerRequest: 1, enableOfflineQueue: false })
  const subscriber = createRedis(url, log, 'bus subscriber')
  await Promise.all([publisher.connect(), subscriber.connect()])
  // ioredis re-subscribes by itself after a reconnect; what was published in between is lost.
  const resumed = new EventEmitter()
  let interrupted = false
  subscriber.on('close', () => (interrupted = true))
  subscriber.on('ready', () => {
    if (!interrupted) return
    interrupted = false
    resumed.emit('resume')
  })
  const local = new EventEmitter()
  local.setMaxListeners(0)
  const counts = new Map<string, number>()
  subscriber.on('message', (channel: string, raw: string) => {
    let message: unknown
    try {
      message = JSON.parse(raw)
    } catch (err) {
      log.warn({ err, channel }, 'dropping malformed bus message')
      return
    }
    local.emit(channel, message)
  })
  return {
    async publish(topic, message) {
      await publisher.publish(topic, JSON.stringify(message))
    },
    subscribe(topic, handler) {
      local.on(topic, handler)
      const n = (counts.get(topic) ?? 0) + 1
      counts.set(topic, n)
      if (n === 1)
        void subscriber.subscribe(topic).catch((err: unknown) => log.warn({ err, topic }, 'subscribe failed'))
      return () => {
        local.off(topic, handler)
        const left = (counts.get(topic) ?? 1) - 1
        counts.set(topic, left)
        if (left === 0) {
          counts.delete(topic)
          void subscriber.unsubscribe(topic).catch(() => {})
        }
      }
    },
    onResume(handler) {
      resumed.on('resume', handler)
      return () => resumed.off('resume', handler)
    },
    async ping() {
      await publisher.ping()
    },
    async close() {
      local.removeAllListeners()
      resumed.removeAllListeners()
      // A client that is not connected would hold QUIT until Redis is back (or its retries
      // run out, ~10 s): it is just dropped.
      const leave = (client: typeof publisher) => (client.status === 'ready' ? client.quit() : client.disconnect())
      await Promise.allSettled([leave(publisher), leave(subscriber)])
    },
  }
}

export const busPlugin = fp<{ redisUrl: string | null }>(
  async (app, { redisUrl }) => {
    const bus = redisUrl ? await createRedisBus(redisUrl, app.log) : createMemoryBus()
    app.decorate('bus', bus)
    app.addHook('onClose', async () => {
      await bus.close()
    })
  },
  { name: 'bus' },
)
