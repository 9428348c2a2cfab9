import { createHash, timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { httpErrors } from '../http/errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Prometheus registry of this app; modules add their own counters to it. */
    metrics: Registry
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1]
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token))
}

/**
 * The process's own figures (CPU, memory, event-loop lag, garbage collection). prom-client
 * measures them with observers that live as long as the process (a GC observer, an event-loop
 * delay monitor) and cannot be stopped: collected once a process, not once an app, or every
 * app a process builds and closes (tests build hundreds) would keep them, and itself, alive.
 */
let processRegistry: Registry | undefined
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

/**
 * `GET /metrics` in Prometheus text format, with per-route request counts and latency. It
 * tells route names, load and memory to whoever reads it: only a scraper holding `token`
 * (`METRICS_TOKEN`) does; everyone else, and everyone when no token is set, gets a 404.
 */
export const metricsPlugin = fp<{ token: string | null }>(
  async (app, { token }) => {
    const registry = new Registry()
    const processFigures = processMetrics()
    const requests = new Counter({
      name: 'workroom_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    })
    const duration = new Histogram({
      name: 'workroom_http_request_duration_seconds',
      help: 'HTTP request latency by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    })
    app.decorate('metrics', registry)
    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, never the raw URL: ids would explode the label set.
      const route = request.routeOptions.url ?? 'unmatched'
      requests.inc({ method: request.method, route, status: String(reply.statusCode) })
      duration.observe({ method: request.method, route }, reply.elapsedTime / 1000)
    })
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!token || !bearerMatches(request.headers.authorization, token)) throw httpErrors.notFound()
      void reply.header('content-type', registry.contentType)
      return (await processFigures.metrics()) + (await registry.metrics())
    })
  },
  { name: 'metrics' },
)
