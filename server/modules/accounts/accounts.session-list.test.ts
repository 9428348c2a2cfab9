import t from 'tap'
import { build, type TestApp } from '../../../test/helper.js'
import { listen, openEvents } from '../../../test/fixtures/websocket.js'

t.setTimeout(90_000)

const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
const safari =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

async function signIn(test: TestApp, who: { email: string; password: string }, userAgent: string) {
  const response = await test.call({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'user-agent': userAgent },
    payload: { email: who.email, password: who.password },
  })
  return response.json().token as string
}

const listOf = async (test: TestApp, token: string) =>
  (await test.call({ method: 'GET', url: '/api/v1/me/sessions', token })).json().sessions as Array<{
    id: string
    current: boolean
    device: string
    ip: string | null
    createdAt: string
    lastSeenAt: string
  }>

t.test('the session list names each device, marks this one, and keeps last-seen times', async (t) => {
  const test = await build(t)
  const { clock } = test
  const user = await test.register('Lia')
  clock.advance(60_000)
  const laptop = await signIn(test, user, firefox)
  clock.advance(60_000)
  await signIn(test, user, safari)

  const list = await listOf(test, laptop)
  t.equal(list.length, 3, 'registration, laptop and phone')
  const current = list.filter((s) => s.current)
  t.equal(current.length, 1, 'exactly one is marked current')
  t.equal(current[0]?.device, 'Firefox 128 on Linux')
  t.ok(
    list.some((s) => s.device === 'Safari 17 on iOS'),
    'the phone in words',
  )
  t.ok(
    list.every((s) => s.ip && /^127\./.test(s.ip)),
    'the address each signed in from',
  )
  t.equal(list[0]?.device, 'Safari 17 on iOS', 'most recently seen first')

  clock.advance(5 * 60_000)
  t.equal((await test.call({ method: 'GET', url: '/api/v1/me', token: laptop })).statusCode, 200)
  const seen = async () => (await listOf(test, user.token)).find((s) => s.device.startsWith('Firefox'))!
  for (let i = 0; i < 40 && (await seen()).lastSeenAt !== clock.now().toISOString(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  t.equal((await seen()).lastSeenAt, clock.now().toISOString(), 'using a session moves its last-seen time')
  t.equal((await listOf(test, user.token))[0]?.device, 'Firefox 128 on Linux', 'and it moves to the top')
})

t.test('revoking a session: its next request is 401 and its event socket closes; only one’s own', async (t) => {
  const test = await build(t)
  const { app, call } = test
  const base = await listen(app)
  const user = await test.register('Oskar')
  const stranger = await test.register('Mallory')
  const laptop = await signIn(test, user, firefox)
  const phone = await signIn(test, user, safari)
  const phoneId = (await listOf(test, phone)).find((s) => s.current)!.id

  const ticket = (await call({ method: 'POST', url: '/api/v1/realtime/tickets', token: phone })).json().ticket
  const phoneSocket = await openEvents(`${base}/api/v1/events?ticket=${ticket}`)
  const laptopTicket = (await call({ method: 'POST', url: '/api/v1/realtime/tickets', token: laptop })).json().ticket
  const laptopSocket = await openEvents(`${base}/api/v1/events?ticket=${laptopTicket}`)

  const byStranger = await call({ method: 'DELETE', url: `/api/v1/me/sessions/${phoneId}`, token: stranger.token })
  t.equal(byStranger.statusCode, 404, 'another user’s session id is not found')
  t.equal(byStranger.json().code, 'accounts.session_not_found')
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: phone })).statusCode, 200, 'and still works')

  const revoked = await call({ method: 'DELETE', url: `/api/v1/me/sessions/${phoneId}`, token: laptop })
  t.equal(revoked.statusCode, 204)
  t.equal(await phoneSocket.closed(1000), 4001, 'the revoked session’s event socket closes')
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: phone })).statusCode, 401, 'its next request is 401')
  t.equal(laptopSocket.socket.readyState, laptopSocket.socket.OPEN, 'the other session’s socket stays open')
  t.notOk(
    (await listOf(test, laptop)).some((s) => s.id === phoneId),
    'it leaves the list',
  )

  const twice = await call({ method: 'DELETE', url: `/api/v1/me/sessions/${phoneId}`, token: laptop })
  t.equal(twice.statusCode, 404, 'a session already ended is not found')
  const bad = await call({ method: 'DELETE', url: '/api/v1/me/sessions/not-a-uuid', token: laptop })
  t.equal(bad.statusCode, 404, 'a malformed id is not found either (as everywhere in the API)')

  const laptopId = (await listOf(test, laptop)).find((s) => s.current)!.id
  const self = await call({ method: 'DELETE', url: `/api/v1/me/sessions/${laptopId}`, token: laptop })
  t.equal(self.statusCode, 204, 'revoking the current session signs it out')
  t.equal(await laptopSocket.closed(1000), 4001)
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: laptop })).statusCode, 401)
  t.equal((await call({ method: 'GET', url: '/api/v1/me/sessions' })).statusCode, 401, 'signed-in only')
})

t.test('with Redis, a session signed out on one instance is refused and its socket closed on another', async (t) => {
  const test = await build(t)
  if (!test.config.redisUrl) {
    t.pass('several instances need Redis between them (REDIS_URL)')
    return
  }
  const other = await build(t, { sameDatabaseAs: test })
  const base = await listen(other.app)
  const user = await test.register('Ines')
  const phone = await signIn(test, user, safari)
  const phoneId = (await listOf(test, phone)).find((s) => s.current)!.id
  const ticket = (await other.call({ method: 'POST', url: '/api/v1/realtime/tickets', token: phone })).json().ticket
  const socket = await openEvents(`${base}/api/v1/events?ticket=${ticket}`)
  t.equal((await other.call({ method: 'GET', url: '/api/v1/me', token: phone })).statusCode, 200, 'held there')

  const revoked = await test.call({ method: 'DELETE', url: `/api/v1/me/sessions/${phoneId}`, token: user.token })
  t.equal(revoked.statusCode, 204)
  t.equal(await socket.closed(2000), 4001, 'its socket on the other instance closes')
  t.equal((await other.call({ method: 'GET', url: '/api/v1/me', token: phone })).statusCode, 401, 'refused there')
})
