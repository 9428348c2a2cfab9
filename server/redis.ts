import { createRequire } from 'node:module'
import type { Redis, RedisOptions } from 'ioredis'

/** Loaded on the first connection: an instance without REDIS_URL never loads the client. */
const loadRedis = () => (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis

interface Log {
  warn(obj: object, msg: string): void
  info(obj: object, msg: string): void
  debug(obj: object, msg: string): void
}

/**
 * An ioredis client whose errors go to the log (pino JSON) instead of ioredis's raw
 * "Unhandled error event" lines: the first failure of an outage as a warning, the retries
 * at debug, the recovery as info. It connects lazily; call `connect()`.
 */
export function createRedis(url: string, log: Log, role: string, options: RedisOptions = {}): Redis {
  // Retried every second at most, so a Redis that comes back is used again within a second.
  const RedisClient = loadRedis()
  const client = new RedisClient(url, {
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    ...options,
  })
  let failing = false
  client.on('error', (err: Error) => {
    if (failing) return log.debug({ err, redis: role }, 'redis still unreachable')
    failing = true
    log.warn({ err, redis: role }, 'redis connection failed; retrying')
  })
  client.on('ready', () => {
    if (!failing) return
    failing = false
    log.info({ redis: role }, 'redis connection restored')
  })
  return client
}
