import rateLimit from '@fastify/rate-limit'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

/**
 * Per-client request limits (@fastify/rate-limit). Nothing is limited unless a route asks:
 * `config: { rateLimit: { max, timeWindow } }` answers 429 `request.rate_limited` (the error
 * handler's shape, with a Retry-After header), and `app.createRateLimit(...)` counts for routes
 * that refuse in their own way (the document WebSocket closes with 4429). With REDIS_URL the
 * counts live in Redis, so every instance shares them; otherwise each process counts in memory.
 */
export const rateLimitPlugin = fp<{ redisUrl: string | null }>(
  async (app, { redisUrl }) => {
    const redis = redisUrl ? new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 }) : null
    if (redis) {
      await redis.connect()
      app.addHook('onClose', async () => {
        await redis.quit()
      })
    }
    await app.register(rateLimit, {
      global: false,
      ...(redis ? { redis, nameSpace: 'workroom:rate-limit:' } : {}),
      // Redis unreachable: requests go through unlimited rather than failing.
      skipOnError: true,
    })
  },
  { name: 'rate-limit' },
)
