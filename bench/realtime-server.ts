// The server side of bench/realtime.ts: the real app (durable: PGlite on disk, or Postgres
// with DATABASE_URL) with one extra document kind `bench:<name>` that any signed-in user
// writes (after a membership-like check: one query), and a few `/bench/*` routes the load generator uses to read figures.
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import postgres from 'postgres'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { withDatabase } from '../test/fixtures.js'
import { typeStep } from './typing.js'

const dataDir = process.env.BENCH_DATA_DIR ?? (await mkdtemp(path.join(os.tmpdir(), 'workroom-bench-')))
// With DATABASE_URL, a database of its own (dropped at the end), so runs do not add up.
let databaseUrl = process.env.DATABASE_URL ?? ''
let dropDatabase = async () => {}
if (databaseUrl) {
  const name = `workroom_bench_${process.pid}`
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  databaseUrl = withDatabase(databaseUrl, name)
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
    await admin.end({ timeout: 5 })
  }
}
const config = loadConfig({
  ...process.env,
  DATABASE_URL: databaseUrl,
  DATA_DIR: dataDir,
  PORT: '0',
  LOG_LEVEL: 'warn',
  WS_CONNECTS_PER_MINUTE: '1000000',
  // Part (e) has thousands of clients of one user fetch a ticket each.
  TICKETS_PER_MINUTE: '1000000',
  WRITES_PER_MINUTE: '1000000',
  SCHEDULER_INTERVAL_MS: '0',
})
const app = await buildApp(config)
app.realtime.registerKind({
  name: 'bench',
  parse: (name) => (name.startsWith('bench:') ? {} : null),
  // One indexed read, as the product's kinds check membership (a contract's row): the user's row.
  authorize: async ({ userId }) =>
    (await app.database.query('select id from users where id = $1', [userId])).length > 0 ? 'write' : null,
})

const gc = (globalThis as { gc?: () => void }).gc
// How late timers fire: time the event loop was blocked (GC, long synchronous work).
const loopDelay = monitorEventLoopDelay({ resolution: 2 })
loopDelay.enable()
app.get('/bench/stats', { config: { auth: 'none' } }, async (request) => {
  const query = request.query as { gc?: string; reset?: string }
  if (query.gc) gc?.()
  if (query.reset) {
    app.realtime.engine.resetLatency()
    loopDelay.reset()
  }
  const memory = process.memoryUsage()
  const loop = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    loopDelay: loop,
    ...app.realtime.stats(),
  }
})
app.post('/bench/history', { config: { auth: 'none' } }, async (request) => {
  const { docName, updates } = request.body as { docName: string; updates: number }
  let cursor = 0
  for (let i = 0; i < updates; i++) {
    await app.realtime.write(docName, (doc) => {
      cursor = typeStep(doc, i, cursor)
    })
  }
  await app.realtime.engine.unloadIdle()
  return { ok: true }
})
app.post('/bench/cold-load', { config: { auth: 'none' } }, async (request) => {
  const { docName, times } = request.body as { docName: string; times: number }
  const durations: number[] = []
  for (let i = 0; i < times; i++) {
    await app.realtime.engine.unloadIdle()
    const started = performance.now()
    await app.realtime.read(docName, (doc) => doc.getText('t').length)
    durations.push(performance.now() - started)
  }
  const { encodeStateAsUpdate } = await import('yjs')
  const bytes = await app.realtime.read(docName, (doc) => encodeStateAsUpdate(doc).length)
  await app.realtime.engine.unloadIdle()
  return { durations, bytes }
})

await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address() as { port: number }
const register = await app.inject({
  method: 'POST',
  url: '/api/v1/auth/register',
  payload: { email: `bench.${Date.now()}@example.com`, password: 'correct horse battery staple', name: 'Bench' },
})
process.stdout.write(
  `BENCH READY http://127.0.0.1:${address.port} ${(register.json() as { token: string }).token} ${app.database.driver}\n`,
)
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(dropDatabase)
      .then(() => process.exit(0)),
)
