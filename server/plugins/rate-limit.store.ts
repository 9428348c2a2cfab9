import { createRequire } from 'node:module'
import type { Redis } from 'ioredis'

type Counted = { current: number; ttl: number }
type Callback = (err: Error | null, result?: Counted) => void

/** @fastify/rate-limit's store interface (its own stores are plain constructors). */
interface Store {
  incr(key: string, cb: Callback, timeWindow: number, max: number): void
  read(key: string, cb: Callback, timeWindow: number, max: number): void
  child(routeOptions: object): Store
}
type StoreOf<Args extends unknown[]> = new (...args: Args) => Store

const requireHere = createRequire(import.meta.url)
// The package's own stores (it exports no entry for them; it has no exports map either).
const RedisStore = requireHere('@fastify/rate-limit/store/RedisStore') as StoreOf<[boolean, boolean, Redis, string]>
const LocalStore = requireHere('@fastify/rate-limit/store/LocalStore') as StoreOf<[boolean, boolean, number]>

/** Counts in Redis; when Redis does not answer, in this process's memory instead. */
class SharedOrLocal implements Store {
  constructor(
    private readonly shared: Store,
    private readonly local: Store,
    private readonly unreachable: (err: Error) => void,
  ) {}

  incr(key: string, cb: Callback, timeWindow: number, max: number): void {
    this.shared.incr(key, this.orLocally('incr', key, cb, timeWindow, max), timeWindow, max)
  }

  read(key: string, cb: Callback, timeWindow: number, max: number): void {
    this.shared.read(key, this.orLocally('read', key, cb, timeWindow, max), timeWindow, max)
  }

  child(routeOptions: object): Store {
    return new SharedOrLocal(this.shared.child(routeOptions), this.local.child(routeOptions), this.unreachable)
  }

  private orLocally(method: 'incr' | 'read', key: string, cb: Callback, timeWindow: number, max: number): Callback {
    return (err, result) => {
      if (!err) return cb(null, result)
      this.unreachable(err)
      this.local[method](key, cb, timeWindow, max)
    }
  }
}

/**
 * The store for `@fastify/rate-limit`'s `store` option with REDIS_URL: every instance shares the
 * counts in Redis, and while Redis cannot be reached each instance counts on its own, so the
 * limits still hold (per instance) through an outage instead of letting everything through.
 */
export function sharedOrLocalStore(redis: Redis, nameSpace: string, unreachable: (err: Error) => void) {
  return class extends SharedOrLocal {
    constructor(params: { continueExceeding?: boolean; exponentialBackoff?: boolean }) {
      const continueExceeding = params.continueExceeding ?? false
      const backoff = params.exponentialBackoff ?? false
      super(
        new RedisStore(continueExceeding, backoff, redis, nameSpace),
        new LocalStore(continueExceeding, backoff, 5000),
        unreachable,
      )
    }
  }
}
