// Chaos: Postgres becomes unreachable for 15 s (a TCP proxy of this test's own, between the
// app and the machine's Postgres, drops every connection and refuses new ones). Requests meanwhile
// answer 503 with Retry-After, quickly, never 500 and never a hang; /readyz names the
// database; afterwards the same app serves normally without a restart and nothing was lost.
// Only a signed-in caller's own profile may still answer from the session cache, for at most
// its 5 s (the app runs on the real clock here, as in production).
import { performance } from 'node:perf_hooks'
import type { InjectOptions } from 'fastify'
import t from 'tap'
import { openDatabase } from '../../db/client.js'
import { buildApp } from '../../server/app.js'
import { systemClock } from '../../server/clock.js'
import { SESSION_CACHE_TTL_MS } from '../../server/modules/accounts/index.js'
import { build } from '../helper.js'
import { fixedJob as job } from '../marketplace.js'
import { startProxy } from './services.js'

t.setTimeout(180_000)

const outageMs = Number(process.env.CHAOS_POSTGRES_OUTAGE_MS ?? 15_000)

t.test(
  `Postgres unreachable ${outageMs / 1000} s: only quick 503s, then full service`,
  { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (the Postgres run of CI)' },
  async (t) => {
    const ctx = await build(t)
    const target = new URL(ctx.databaseUrl!)
    const proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) })
    t.teardown(() => proxy.close())
    const proxied = new URL(ctx.databaseUrl!)
    proxied.port = String(proxy.port)
    const database = await openDatabase({ url: proxied.toString(), maxConnections: 5 })
    const app = await buildApp(ctx.config, { clock: systemClock, database })
    t.teardown(async () => {
      await app.close()
      await database.close()
    })
    await app.ready()
    const call = ({ token, ...rest }: InjectOptions & { token?: string }) =>
      app.inject({ ...rest, headers: token ? { authorization: `Bearer ${token}` } : {} })
    const register = await call({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'cleo@example.com', password: 'correct horse battery staple', name: 'Cleo' },
    })
    t.equal(register.statusCode, 201, register.body)
    const token = register.json().token as string
    const before = await call({ method: 'POST', url: '/api/v1/jobs', token, payload: job })
    t.equal(before.statusCode, 201, before.body)

    await proxy.cut()
    const cutAt = performance.now()
    const statuses = new Map<number, number>()
    let slowest = 0
    let readyFailing = false
    let sawRetryAfter = true
    let cachedProfileUntil = 0
    const profile = () => call({ method: 'GET', url: '/api/v1/me', token })
    while (performance.now() - cutAt < outageMs) {
      for (const request of [
        () => call({ method: 'GET', url: '/api/v1/jobs', token }),
        () => call({ method: 'POST', url: '/api/v1/jobs', token, payload: job }),
        profile,
      ]) {
        const started = performance.now()
        const response = await request()
        slowest = Math.max(slowest, performance.now() - started)
        if (response.statusCode === 200 && request === profile) {
          cachedProfileUntil = performance.now() - cutAt
          continue
        }
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
        if (response.statusCode === 503) {
          sawRetryAfter &&= response.headers['retry-after'] !== undefined
          t.equal(response.json().code, 'service.unavailable')
        }
      }
      const ready = await call({ method: 'GET', url: '/readyz' })
      if (ready.statusCode === 503 && ready.json().checks.database === 'failing') readyFailing = true
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    t.same([...statuses.keys()], [503], 'every request that needs the database answered 503 during the cut')
    t.ok(
      cachedProfileUntil <= SESSION_CACHE_TTL_MS + 1000,
      `one's own profile answered from the session cache only in the first ${SESSION_CACHE_TTL_MS} ms (last at ${cachedProfileUntil.toFixed(0)} ms)`,
    )
    t.ok(slowest < 2000, `the slowest answer took ${slowest.toFixed(0)} ms`)
    t.ok(sawRetryAfter, 'each 503 says when to retry')
    t.ok(readyFailing, '/readyz named the database')

    await proxy.restore()
    const restoredAt = performance.now()
    let after = await call({ method: 'POST', url: '/api/v1/jobs', token, payload: job })
    while (after.statusCode !== 201 && performance.now() - restoredAt < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      after = await call({ method: 'POST', url: '/api/v1/jobs', token, payload: job })
    }
    const recoveredMs = performance.now() - restoredAt
    t.equal(after.statusCode, 201, 'a write succeeds again without a restart')
    const mine = await call({ method: 'GET', url: '/api/v1/me/jobs', token })
    const ids = (mine.json().items as Array<{ id: string }>).map((item) => item.id)
    t.ok(ids.includes(before.json().id), 'the job posted before the cut is still there')
    t.equal((await call({ method: 'GET', url: '/readyz' })).statusCode, 200)
    t.comment(
      `postgres cut ${outageMs} ms: statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `slowest ${slowest.toFixed(0)} ms, service back ${recoveredMs.toFixed(0)} ms after the restore`,
    )
  },
)
