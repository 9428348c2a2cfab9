import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../http/errors.js'
import { ErrorBody } from '../http/schemas.js'
import { createRedis } from '../redis.js'
import { sharedOrLocalStore } from './rate-limit.store.js'

/** A number of events allowed per window, counted per key (a user, an IP, an email). */
export interface BudgetSpec {
  /** Part of every key it counts under: budgets with different names never share counts. */
  name: string
  max: number
  windowMs: number
  /** Whose events count together. */
  keyOf(request: FastifyRequest): string
}

export interface RateBudget {
  /** Answers 429 when the budget is already used up, without counting (e.g. before a sign-in). */
  check(request: FastifyRequest, reply: FastifyReply): Promise<void>
  /** Counts one event and never refuses (e.g. after a failed sign-in). */
  count(request: FastifyRequest): Promise<void>
}

/** A budget a route spends on every request besides the writes budget, and what it is counted by. */
export interface RouteBudget {
  name: string
  max: number
  windowMs: number
  /** `caller`: the signed-in user (the IP when anonymous); `ip`: the client IP. */
  by: 'caller' | 'ip'
}

declare module 'fastify' {
  interface FastifyInstance {
    /** A rate budget counted in Redis when REDIS_URL is set (shared by every instance), else in memory. */
    rateBudget(spec: BudgetSpec): RateBudget
  }
}

interface Outcome {
  max: number
  remaining: number
  resetSeconds: number
  exceeded: boolean
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

// Route schemas are module constants shared by every app in a process: each gets one copy
// with the 429 added, so its serializers are still compiled once.
const withTooMany = new WeakMap<object, RouteOptions['schema']>()

/** A limited route says so in the OpenAPI document: 429 with the error body. */
function declareTooMany(route: RouteOptions): void {
  const schema = route.schema
  if (!schema || (schema.response && 429 in (schema.response as object))) return
  let declared = withTooMany.get(schema)
  if (!declared) {
    declared = { ...schema, response: { ...(schema.response as object), 429: ErrorBody } }
    withTooMany.set(schema, declared)
  }
  route.schema = declared
}

function sendHeaders(reply: FastifyReply, outcome: Outcome): void {
  void reply.header('ratelimit-limit', outcome.max)
  void reply.header('ratelimit-remaining', outcome.remaining)
  void reply.header('ratelimit-reset', outcome.resetSeconds)
}

function refuse(reply: FastifyReply, outcome: Outcome, windowMs: number): never {
  sendHeaders(reply, { ...outcome, remaining: 0 })
  const retryAfter = Math.max(1, outcome.resetSeconds)
  const per = windowMs >= 3_600_000 ? `${windowMs / 3_600_000} h` : `${Math.round(windowMs / 60_000)} min`
  throw new AppError(
    429,
    'request.rate_limited',
    `Too many requests: ${outcome.max} per ${per} allowed. Try again in ${retryAfter} s.`,
    { retryAfter },
  )
}

/**
 * Per-client request limits on @fastify/rate-limit's stores. With REDIS_URL the counts live in
 * Redis, so every instance shares them; otherwise each process counts in memory.
 *
 * Every write under `/api/` (POST, PUT, PATCH, DELETE) spends the caller's writes budget
 * (`writesPerMinute`, per signed-in user, per IP when anonymous), and the routes named in
 * `routeBudgets` spend theirs too (messages, uploads, registrations...). The counting runs in
 * the route's `onRequest` hook, after the auth hook has found the caller and before the body is
 * read. Refusals answer 429 `request.rate_limited` with `Retry-After`; every counted answer
 * carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds) of the
 * budget closest to its end. Redis unreachable: each instance counts in its own memory until it
 * is back (rate-limit.store.ts), so the limits hold per instance.
 */
export const rateLimitPlugin = fp<{
  redisUrl: string | null
  writesPerMinute: number
  /** By `METHOD url` as the route declares it, e.g. `POST /api/v1/threads/:id/messages`. */
  routeBudgets: Readonly<Record<string, RouteBudget>>
  /** The signed-in user's id, or null (the client IP counts then). */
  callerOf(request: FastifyRequest): string | null
}>(
  async (app, { redisUrl, writesPerMinute, routeBudgets, callerOf }) => {
    // Fail fast while Redis is away (no queueing behind a dead connection, no waiting on one
    // that does not answer): the request is then counted in this process instead.
    const redis = redisUrl
      ? createRedis(redisUrl, app.log, 'rate limits', {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          commandTimeout: 500,
        })
      : null
    if (redis) {
      await redis.connect()
      app.addHook('onClose', async () => {
        // Redis away: nothing to say goodbye to (quit would be refused without the offline queue).
        await redis.quit().catch(() => redis.disconnect())
      })
    }
    let warnedAt = -Infinity
    const unreachable = (err: Error) => {
      if (Date.now() - warnedAt < 60_000) return
      warnedAt = Date.now()
      app.log.warn({ err }, 'rate limits: Redis did not answer; counting in this process until it does')
    }
    const options: RateLimitPluginOptions = {
      global: false,
      ...(redis ? { store: sharedOrLocalStore(redis, 'workroom:rate-limit:', unreachable) } : {}),
    }
    await app.register(rateLimit, options)

    function rateBudget(spec: BudgetSpec) {
      const limiter = app.createRateLimit({
        max: spec.max,
        timeWindow: spec.windowMs,
        keyGenerator: (request) => `${spec.name}:${spec.keyOf(request)}`,
      })
      async function measure(request: FastifyRequest, increment: boolean): Promise<Outcome> {
        const result = await limiter(request, { increment })
        if (result.isAllowed) return { max: spec.max, remaining: spec.max, resetSeconds: 0, exceeded: false }
        return {
          max: result.max,
          remaining: result.remaining,
          resetSeconds: result.ttlInSeconds,
          // Without counting, a budget already at its max refuses the next event.
          exceeded: increment ? result.isExceeded : result.remaining === 0 && result.ttl > 0,
        }
      }
      return {
        spec,
        measure,
        async check(request: FastifyRequest, reply: FastifyReply) {
          const outcome = await measure(request, false)
          if (outcome.exceeded) refuse(reply, outcome, spec.windowMs)
        },
        async count(request: FastifyRequest) {
          await measure(request, true)
        },
      }
    }
    app.decorate('rateBudget', (spec: BudgetSpec): RateBudget => rateBudget(spec))

    const ipOf = (request: FastifyRequest) => `ip:${request.ip}`
    const callerKey = (request: FastifyRequest) => {
      const user = callerOf(request)
      return user ? `user:${user}` : ipOf(request)
    }
    const writes = rateBudget({ name: 'writes', max: writesPerMinute, windowMs: 60_000, keyOf: callerKey })
    const unseen = new Set(Object.keys(routeBudgets))
    // Routes that name one budget spend the same counts (one counter per name, as in Redis).
    const shared = new Map<string, ReturnType<typeof rateBudget>>()
    const routeBudget = ({ by, ...spec }: RouteBudget) => {
      let budget = shared.get(spec.name)
      if (!budget) {
        budget = rateBudget({ ...spec, keyOf: by === 'ip' ? ipOf : callerKey })
        shared.set(spec.name, budget)
      }
      return budget
    }

    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = [route.method].flat().map((method) => method.toUpperCase())
      const budgets =
        methods.some((method) => writeMethods.has(method)) && route.url.startsWith('/api/') ? [writes] : []
      const own = methods.map((method) => `${method} ${route.url}`).find((key) => key in routeBudgets)
      if (own) {
        budgets.push(routeBudget(routeBudgets[own]!))
        unseen.delete(own)
      }
      if (!budgets.length) return
      declareTooMany(route)
      const spend = async (request: FastifyRequest, reply: FastifyReply) => {
        const outcomes = await Promise.all(budgets.map((budget) => budget.measure(request, true)))
        const refused = outcomes.findIndex((outcome) => outcome.exceeded)
        if (refused >= 0) refuse(reply, outcomes[refused]!, budgets[refused]!.spec.windowMs)
        sendHeaders(
          reply,
          outcomes.reduce((low, outcome) => (outcome.remaining < low.remaining ? outcome : low)),
        )
      }
      route.onRequest = [...[route.onRequest ?? []].flat(), spend]
    })
    // A budget for a route that does not exist would silently limit nothing.
    app.addHook('onReady', async () => {
      if (unseen.size) throw new Error(`rate budgets name unknown routes: ${[...unseen].join(', ')}`)
    })
  },
  { name: 'rate-limit' },
)
