import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import { installErrorHandler } from './error-handler.js'
import { securityHeadersPlugin } from './security-headers.js'
import { webPlugin } from './web.js'

t.setTimeout(30_000)

/** A small built app: what `vite build` leaves in dist. */
async function fakeDist(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workroom-web-'))
  await mkdir(path.join(dir, 'assets'))
  await writeFile(
    path.join(dir, 'index.html'),
    '<!doctype html><title>Workroom</title><script type="module" src="/assets/index-abc123.js"></script>',
  )
  await writeFile(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("app")')
  return dir
}

async function appWith(distDir: string, logs: string[] = []) {
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => void logs.push(line) } } })
  installErrorHandler(app)
  await app.register(securityHeadersPlugin, { https: false })
  app.get('/api/v1/thing', async () => ({ ok: true }))
  await app.register(webPlugin, { distDir })
  await app.ready()
  return app
}

t.test('serves the built app with caching headers and falls back to it for page addresses', async (t) => {
  const dir = await fakeDist()
  const app = await appWith(dir)
  t.teardown(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  const index = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } })
  t.equal(index.statusCode, 200)
  t.match(index.headers['content-type'], /text\/html/)
  t.equal(index.headers['cache-control'], 'no-cache', 'index.html is revalidated on every load')
  t.match(index.headers['content-security-policy'], /script-src 'self'/)

  const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' })
  t.equal(asset.statusCode, 200)
  t.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable', 'hashed assets are cached for a year')

  const page = await app.inject({
    method: 'GET',
    url: '/contracts/7d3c/timesheets?week=2026-W48',
    headers: { accept: 'text/html,application/xhtml+xml,*/*' },
  })
  t.equal(page.statusCode, 200, 'a client-side route answers with the app')
  t.match(page.body, /<title>Workroom<\/title>/)
  t.equal(page.headers['cache-control'], 'no-cache')

  for (const url of ['/api/v1/nothing', '/docs/nothing', '/openapi.json/x', '/healthz/x', '/readyz/x', '/metrics/x']) {
    const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
    t.equal(res.statusCode, 404, `${url} keeps the JSON 404`)
    t.equal(res.json().code, 'not_found')
  }
  const json = await app.inject({ method: 'GET', url: '/jobs/1', headers: { accept: 'application/json' } })
  t.equal(json.statusCode, 404, 'a request that does not accept HTML gets the JSON 404')
  const post = await app.inject({ method: 'POST', url: '/jobs/1', headers: { accept: 'text/html' } })
  t.equal(post.statusCode, 404, 'only GET and HEAD fall back')
  const missingAsset = await app.inject({ method: 'GET', url: '/assets/gone-123.js', headers: { accept: '*/*' } })
  t.equal(missingAsset.statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/thing' })).json().ok, true, 'API routes are untouched')
})

t.test('without a built app the server runs the API only and says so', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workroom-web-empty-'))
  const logs: string[] = []
  const app = await appWith(dir, logs)
  t.teardown(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })
  const res = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'not_found')
  t.ok(
    logs.some((line) => line.includes('not built')),
    'a warning names the missing build',
  )
})
