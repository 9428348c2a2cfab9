// The parts of the attack surface a browser or a scraper reaches (issue 20, F6 and F7):
// cookie-authenticated writes and document upgrades need the site's own Origin; `/metrics`
// is not public; every page carries the security headers.
import t from 'tap'
import { WebSocket } from 'ws'
import { build } from './helper.js'
import { listen } from './fixtures/realtime.js'

t.setTimeout(60_000)

const SITE = 'http://localhost:3000'

t.test('a cookie-authenticated write needs an allowed Origin; a bearer token does not', async (t) => {
  const { call, register } = await build(t)
  const user = await register('Pat')
  const rename = (name: string, headers: Record<string, string>, auth: 'cookie' | 'bearer' = 'cookie') =>
    call({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: { name },
      headers,
      ...(auth === 'cookie' ? { cookies: { wr_session: user.token } } : { token: user.token }),
    })
  const nameNow = async () => (await call({ method: 'GET', url: '/api/v1/me', token: user.token })).json().name

  for (const [label, headers] of [
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['no Origin at all', {}],
    ['Origin null (a sandboxed page)', { origin: 'null' }],
    ['a cross-site fetch without Origin', { 'sec-fetch-site': 'cross-site' }],
  ] as const) {
    const refused = await rename('Forged', headers)
    t.equal(refused.statusCode, 403, `${label}: 403`)
    t.same(Object.keys(refused.json()).sort(), ['code', 'message', 'requestId'].sort())
    t.equal(refused.json().code, 'auth.bad_origin')
  }
  t.equal(await nameNow(), 'Pat', 'nothing changed')

  t.equal((await rename('From the site', { origin: SITE })).statusCode, 200, 'the configured Origin is allowed')
  t.equal((await rename('Same origin', { 'sec-fetch-site': 'same-origin' })).statusCode, 200, 'Sec-Fetch-Site too')
  t.equal((await rename('By token', {}, 'bearer')).statusCode, 200, 'a bearer token needs no Origin')
  t.equal(
    (await rename('By token, foreign page', { origin: 'https://evil.example' }, 'bearer')).statusCode,
    200,
    'a bearer token is not ambient: the Origin does not matter',
  )
  t.equal(await nameNow(), 'By token, foreign page')
  const read = await call({ method: 'GET', url: '/api/v1/me', cookies: { wr_session: user.token } })
  t.equal(read.statusCode, 200, 'reads by cookie need no Origin')
})

t.test('a document upgrade by cookie needs an allowed Origin (4403 otherwise)', async (t) => {
  const { app, register } = await build(t)
  const base = await listen(app)
  const user = await register('Pat')
  app.realtime.registerKind({
    name: 'surface',
    parse: (name) => (name.startsWith('surface:') ? {} : null),
    authorize: async () => 'write',
  })
  const open = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/surface:one`, {
        headers: { cookie: `wr_session=${user.token}`, ...headers },
      })
      // An admitted socket is sent the server's state vector first.
      socket.once('message', () => (socket.close(), resolve(200)))
      socket.once('close', (code) => resolve(code))
    })
  t.equal(await open({ origin: 'https://evil.example' }), 4403, 'foreign Origin: 4403')
  t.equal(await open({}), 4403, 'no Origin with the cookie: 4403')
  t.equal(await open({ origin: SITE }), 200, 'the site itself is admitted')
  const byToken = await new Promise<number>((resolve) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/surface:one`, {
      headers: { authorization: `Bearer ${user.token}` },
    })
    socket.once('message', () => (socket.close(), resolve(200)))
    socket.once('close', (code) => resolve(code))
  })
  t.equal(byToken, 200, 'a bearer token needs no Origin')
})

t.test('/metrics is not public; a scraper with METRICS_TOKEN reads it', async (t) => {
  const withoutToken = await build(t)
  for (const headers of [{}, { authorization: 'Bearer anything-at-all-123' }]) {
    const response = await withoutToken.call({ method: 'GET', url: '/metrics', headers })
    t.equal(response.statusCode, 404, 'no token configured: 404')
    t.notMatch(response.body, /workroom_http_requests_total/)
  }
  const token = 'scraper-token-0123456789'
  const { call } = await build(t, { env: { METRICS_TOKEN: token } })
  t.equal((await call({ method: 'GET', url: '/metrics' })).statusCode, 404, 'anonymous: 404')
  const wrong = await call({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: 'Bearer scraper-token-0123456780' },
  })
  t.equal(wrong.statusCode, 404, 'a wrong token: 404')
  const user = await build(t).then((other) => other.register('Pat'))
  t.equal((await call({ method: 'GET', url: '/metrics', token: user.token })).statusCode, 404, 'a session token: 404')
  const scraped = await call({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } })
  t.equal(scraped.statusCode, 200)
  t.match(scraped.body, /process_cpu_seconds_total/)
})

t.test('security headers on the web app, the API explorer and JSON answers', async (t) => {
  const { call } = await build(t)
  const pages: Array<[string, string]> = [
    ['/', 'the web app'],
    ['/jobs/123', 'a page address of the web app'],
    ['/docs', 'the API explorer'],
    ['/docs/', 'the API explorer page'],
    ['/api/v1/me', 'a JSON answer'],
  ]
  for (const [url, label] of pages) {
    const response = await call({ method: 'GET', url, headers: { accept: 'text/html' } })
    t.ok(response.statusCode < 500, `${label} answers (${response.statusCode})`)
    t.match(response.headers['content-security-policy'], /script-src 'self'/, `${label}: CSP`)
    t.match(response.headers['content-security-policy'], /frame-ancestors 'none'/)
    t.equal(response.headers['x-frame-options'], 'SAMEORIGIN', `${label}: no framing`)
    t.equal(response.headers['x-content-type-options'], 'nosniff', `${label}: no sniffing`)
    t.equal(response.headers['referrer-policy'], 'same-origin')
    t.equal(response.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP')
  }
  const explorer = await call({ method: 'GET', url: '/docs/' })
  t.equal(explorer.statusCode, 200)
  t.match(explorer.headers['content-type'], /text\/html/)

  const https = await build(t, { env: { PUBLIC_URL: 'https://work.example' } })
  const secure = await https.call({ method: 'GET', url: '/', headers: { accept: 'text/html' } })
  t.match(secure.headers['strict-transport-security'], /max-age=\d+/, 'HSTS when the site is HTTPS')
})
