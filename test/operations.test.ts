// What an operator relies on: health, readiness, metrics, the API document, request ids,
// and logs that never carry secrets.
import { rm } from 'node:fs/promises'
import { Writable } from 'node:stream'
import t from 'tap'
import { build } from './helper.js'

t.setTimeout(60_000)

const METRICS_TOKEN = 'scraper-token-0123456789'
const scrape = { authorization: `Bearer ${METRICS_TOKEN}` }

t.test('health, readiness, metrics, OpenAPI and docs', async (t) => {
  const { call, config, app } = await build(t, { env: { METRICS_TOKEN } })
  const health = await call({ method: 'GET', url: '/healthz' })
  t.equal(health.statusCode, 200)
  const ready = await call({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json().checks, { database: 'ok', storage: 'ok', ...(config.redisUrl ? { redis: 'ok' } : {}) })

  const openapi = await call({ method: 'GET', url: '/openapi.json' })
  t.equal(openapi.statusCode, 200)
  const doc = openapi.json()
  t.equal(doc.openapi, '3.1.0')
  for (const path of [
    '/api/v1/auth/register',
    '/api/v1/auth/login',
    '/api/v1/me',
    '/api/v1/users/{id}',
    '/api/v1/realtime/tickets',
  ]) {
    t.ok(doc.paths[path], `${path} is documented`)
  }
  const docs = await call({ method: 'GET', url: '/docs' })
  t.ok([200, 302].includes(docs.statusCode), 'the docs page answers')

  await call({ method: 'GET', url: '/api/v1/me' })
  const metrics = await call({ method: 'GET', url: '/metrics', headers: scrape })
  t.equal(metrics.statusCode, 200)
  t.match(metrics.body, /workroom_http_requests_total\{method="GET",route="\/api\/v1\/me",status="401"\} 1/)
  t.match(metrics.body, /process_cpu_seconds_total/)
  t.match(metrics.body, /workroom_realtime_commits 0\b/)

  // A committed document change shows in the real-time metrics, with its commit time.
  app.realtime.registerKind({
    name: 'ops',
    parse: (name) => (name.startsWith('ops:') ? {} : null),
    authorize: async () => null,
  })
  await app.realtime.write('ops:metrics', (doc) => doc.getMap('m').set('n', 1))
  const after = (await call({ method: 'GET', url: '/metrics', headers: scrape })).body
  t.match(after, /workroom_realtime_commits 1\b/)
  t.match(after, /workroom_realtime_committed_changes 1\b/)
  const commitMs = Number(/workroom_realtime_commit_ms\{quantile="0.99"\} ([\d.e+-]+)/.exec(after)?.[1])
  t.ok(commitMs > 0 && commitMs < 60_000, `the commit time is reported (${commitMs} ms)`)
  t.match(after, /workroom_realtime_update_ms\{quantile="0.5"\} [\d.]+/)

  // Storage gone: not ready, but still alive.
  if (config.storage.driver === 'disk') {
    await rm(config.storage.dir, { recursive: true, force: true })
    const notReady = await call({ method: 'GET', url: '/readyz' })
    t.equal(notReady.statusCode, 503)
    t.equal(notReady.json().checks.storage, 'failing')
    t.equal((await call({ method: 'GET', url: '/healthz' })).statusCode, 200)
  }
})

t.test('request ids come back, and logs carry no password, token or ticket', async (t) => {
  const lines: string[] = []
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  const { call } = await build(t, { env: { LOG_LEVEL: 'info' }, deps: { logStream } })
  const password = 'a very secret passphrase'
  const registered = await call({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: 'logs@example.com', password, name: 'Logs' },
    headers: { 'x-request-id': 'trace-me-123' },
  })
  t.equal(registered.headers['x-request-id'], 'trace-me-123', 'a plain incoming request id is kept')
  const token = registered.json().token as string
  const ticket = (await call({ method: 'POST', url: '/api/v1/realtime/tickets', token })).json().ticket as string
  await call({ method: 'GET', url: `/api/v1/me?ticket=${ticket}`, token })
  await call({ method: 'GET', url: '/api/v1/me', cookies: { wr_session: token } })
  const evil = await call({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\nwith newline' } })
  t.not(evil.headers['x-request-id'], 'bad id\nwith newline', 'an unsafe request id is replaced')

  const all = lines.join('')
  t.ok(all.includes('trace-me-123'), 'logs carry the request id')
  t.notOk(all.includes(password), 'no password in logs')
  t.notOk(all.includes(token), 'no session token in logs')
  t.notOk(all.includes(ticket), 'no ticket in logs')
})
