import { Type } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'

const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) })

/**
 * `/healthz`: the process answers. `/readyz`: the database, file storage and (when
 * configured) Redis answer too, each within 2 s; a 503 names the failing ones.
 */
export const healthPlugin = fp<{ redis: boolean }>(
  async (app, { redis }) => {
    app.get('/healthz', { schema: { tags: ['operations'], response: { 200: Health } } }, async () => ({ status: 'ok' }))
    app.get(
      '/readyz',
      { schema: { tags: ['operations'], response: { 200: Health, 503: Health } } },
      async (request, reply) => {
        const checks: Record<string, string> = {}
        const probe = async (name: string, fn: () => Promise<void>) => {
          try {
            await withTimeout(fn(), 2000)
            checks[name] = 'ok'
          } catch (err) {
            request.log.warn({ err, check: name }, 'readiness check failed')
            checks[name] = 'failing'
          }
        }
        await Promise.all([
          probe('database', () => app.database.ping()),
          probe('storage', () => app.storage.ping()),
          ...(redis ? [probe('redis', () => app.bus.ping())] : []),
        ])
        const ok = Object.values(checks).every((v) => v === 'ok')
        return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks })
      },
    )
  },
  { name: 'health', dependencies: ['database', 'storage', 'bus'] },
)

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
