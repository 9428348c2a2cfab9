import t from 'tap'
import { buildApp } from '../../app.js'
import { build } from '../../../test/helper.js'
import { listen, openEvents } from '../../../test/fixtures/websocket.js'
import { workroomWithBidders } from '../../../test/fixtures/workroom.js'
import type { EventFrame } from './events.service.js'

t.setTimeout(60_000)

const env = { WS_PING_INTERVAL_MS: '1000', WS_SEND_BUFFER_BYTES: '65536', DOC_MAX_BYTES: '49152' }

t.test(
  'real time: a message reaches the other party within 1 s, and only them; logout closes the socket',
  async (t) => {
    const test = await build(t, { env })
    const { app, call } = test
    const base = await listen(app)
    const { client, bidders } = await workroomWithBidders(test)
    const [a, b] = bidders as [(typeof bidders)[0], (typeof bidders)[0]]
    const ticket = async (token: string) =>
      (await call({ method: 'POST', url: '/api/v1/realtime/tickets', token })).json().ticket as string

    const aSocket = await openEvents(`${base}/api/v1/events?ticket=${await ticket(a.user.token)}`)
    const bSocket = await openEvents(`${base}/api/v1/events?ticket=${await ticket(b.user.token)}`)
    const clientTab = await openEvents(`${base}/api/v1/events`, {
      headers: { cookie: `wr_session=${client.token}` },
      origin: 'http://localhost:3000',
    })

    const sentAt = Date.now()
    const posted = await call({
      method: 'POST',
      url: `/api/v1/threads/${a.threadId}/messages`,
      token: client.token,
      payload: { body: 'Can you start Monday?' },
    })
    t.equal(posted.statusCode, 201)
    const received = await aSocket.next((f) => f.type === 'message.created', 1000)
    t.ok(Date.now() - sentAt < 1000, 'within a second')
    t.match(received, {
      type: 'message.created',
      data: { id: posted.json().id, body: 'Can you start Monday?', threadId: a.threadId },
    })
    t.ok(typeof received.at === 'string' && typeof received.workroomId === 'string')
    await clientTab.next((f: EventFrame) => f.type === 'message.created', 1000)
    t.pass("the author's other tab hears it too")

    const reply = await call({
      method: 'POST',
      url: `/api/v1/threads/${b.threadId}/messages`,
      token: b.user.token,
      payload: { body: 'B here' },
    })
    await clientTab.next((f) => f.type === 'message.created' && (f.data as { id: string }).id === reply.json().id)
    t.notOk(
      bSocket.frames.some((f) => JSON.stringify(f).includes('Can you start Monday?')),
      "B never hears about A's thread",
    )
    t.notOk(
      aSocket.frames.some((f) => JSON.stringify(f).includes('B here')),
      "A never hears about B's thread",
    )

    const read = await call({
      method: 'POST',
      url: `/api/v1/threads/${a.threadId}/read`,
      token: a.user.token,
      payload: { upToMessageId: posted.json().id },
    })
    t.equal(read.statusCode, 200)
    const receipt = await clientTab.next((f) => f.type === 'thread.read')
    t.match(receipt.data, { threadId: a.threadId, userId: a.user.id, lastReadMessageId: posted.json().id })

    const logout = await call({ method: 'POST', url: '/api/v1/auth/logout', token: b.user.token })
    t.equal(logout.statusCode, 204)
    t.equal(await bSocket.closed(1000), 4001, "B's socket closes within a second of logout")
    t.equal(aSocket.socket.readyState, aSocket.socket.OPEN, "others' sockets stay open")
    aSocket.socket.close()
    clientTab.socket.close()
  },
)

t.test('the upgrade is refused: wrong Origin, no credentials, a used or expired ticket', async (t) => {
  const test = await build(t, { env })
  const { app, call, clock } = test
  const base = await listen(app)
  const user = await test.register('Someone')
  const ticket = async () =>
    (await call({ method: 'POST', url: '/api/v1/realtime/tickets', token: user.token })).json().ticket as string

  const fresh = await ticket()
  await t.rejects(
    openEvents(`${base}/api/v1/events?ticket=${fresh}`, { origin: 'https://evil.example' }),
    /HTTP 403/,
    'a wrong Origin is refused',
  )
  await t.rejects(
    openEvents(`${base}/api/v1/events`, {
      headers: { cookie: `wr_session=${user.token}` },
      origin: 'https://evil.example',
    }),
    /HTTP 403/,
    'even with a valid cookie',
  )
  await t.rejects(openEvents(`${base}/api/v1/events`), /HTTP 401/, 'no credentials')
  await t.rejects(openEvents(`${base}/api/v1/events?ticket=made-up`), /HTTP 401/)

  const once = await ticket()
  const first = await openEvents(`${base}/api/v1/events?ticket=${once}`)
  t.pass('a ticket opens one socket')
  await t.rejects(openEvents(`${base}/api/v1/events?ticket=${once}`), /HTTP 401/, 'and only once')
  first.socket.close()

  const stale = await ticket()
  clock.advance(60_001)
  await t.rejects(openEvents(`${base}/api/v1/events?ticket=${stale}`), /HTTP 401/, 'a ticket expires after 60 s')
  const bearer = await openEvents(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${user.token}` } })
  t.pass('an API client may use its bearer token')
  bearer.socket.close()

  const plain = await call({ method: 'GET', url: '/api/v1/events', token: user.token })
  t.equal(plain.statusCode, 426)
  t.equal(plain.json().code, 'events.upgrade_required')
})

t.test('keepalive drops a silent peer; a slow consumer is closed with 4008', async (t) => {
  const test = await build(t, { env })
  const { app } = test
  const base = await listen(app)
  const user = await test.register('Slow')
  const open = () => openEvents(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${user.token}` } })

  const slow = await open()
  // Stop reading: the kernel buffers fill, then the server's send buffer passes 64 KiB.
  const raw = (slow.socket as unknown as { _socket: import('node:net').Socket })._socket
  raw.pause()
  const big = 'x'.repeat(32 * 1024)
  for (let i = 0; i < 400 && app.sockets.forUser(user.id).length > 0; i++) {
    await app.events.publish([user.id], { type: 'bulk', data: { big } })
    await new Promise((resolve) => setImmediate(resolve))
    if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 10))
    if (app.sockets.forUser(user.id).every((e) => e.socket.readyState !== e.socket.OPEN)) break
  }
  t.ok(
    app.sockets.forUser(user.id).every((e) => e.socket.readyState !== e.socket.OPEN),
    'the server stopped sending to it',
  )
  raw.resume()
  t.equal(await slow.closed(5000), 4008, 'the reader learns it was too slow')

  const silent = await open()
  t.equal(app.sockets.forUser(user.id).length, 1)
  // A peer that stops reading also stops answering pings: gone within two intervals.
  ;(silent.socket as unknown as { _socket: import('node:net').Socket })._socket.pause()
  const deadline = Date.now() + 4000
  while (app.sockets.forUser(user.id).length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(app.sockets.forUser(user.id).length, 0, 'the silent socket was dropped')
  silent.socket.terminate()
})

t.test('with Redis, an event published on one instance reaches a socket on another', async (t) => {
  const test = await build(t, { env })
  const redis = Boolean(test.config.redisUrl)
  // Two instances share one database; the bus between them is Redis when configured, else
  // each has its own in-memory bus and an event stays on its instance.
  const other = await buildApp(test.config, { clock: test.clock, database: test.database })
  t.teardown(() => other.close())
  await other.ready()
  const base = await listen(other)
  const { client, bidders } = await workroomWithBidders(test, 1)
  const a = bidders[0]!
  const socket = await openEvents(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${a.user.token}` } })
  const posted = await test.call({
    method: 'POST',
    url: `/api/v1/threads/${a.threadId}/messages`,
    token: client.token,
    payload: { body: 'across instances' },
  })
  t.equal(posted.statusCode, 201)
  if (redis) {
    const frame = await socket.next((f) => f.type === 'message.created', 1000)
    t.match(frame.data, { body: 'across instances' }, 'delivered through Redis')
  } else {
    await other.events.publish([a.user.id], { type: 'local', data: {} })
    await socket.next((f) => f.type === 'local')
    t.notOk(
      socket.frames.some((f) => f.type === 'message.created'),
      'without Redis an instance only reaches its own sockets',
    )
  }
  socket.socket.close()
})
