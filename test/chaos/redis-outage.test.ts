// Chaos: two instances share the database and a Redis of this test's own, which dies for
// 20 s while people keep typing on both. Each instance keeps persisting and serving its own
// clients meanwhile; once Redis is back every replica and client converges within 5 s
// without reconnecting, and no edit is lost. Part of the Postgres run (the production shape);
// the embedded run has no Redis to lose.
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { Redis } from 'ioredis'
import { build } from '../helper.js'
import { createContract } from '../fixtures/contract.js'
import { connectClient, listen, registerTestKind, until, type TestClient } from '../fixtures/realtime.js'
import { openEvents } from '../fixtures/websocket.js'
import { workroomWithBidders } from '../fixtures/workroom.js'
import { startRedis } from './services.js'

t.setTimeout(180_000)

const outageMs = Number(process.env.CHAOS_REDIS_OUTAGE_MS ?? 20_000)
const text = (client: TestClient) => client.doc.getText('scope').toString()
const markers = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i};`)

const chaos = { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (the Postgres run of CI)' }

t.test(
  `Redis down ${outageMs / 1000} s and back: every replica converges within 5 s, no edit lost`,
  chaos,
  async (t) => {
    const redis = await startRedis()
    t.teardown(() => redis.stop())
    const env = { REDIS_URL: redis.url }
    const first = await build(t, { env })
    const second = await build(t, { env, sameDatabaseAs: first, clock: first.clock })
    const [baseA, baseB] = [await listen(first.app), await listen(second.app)]
    const [client, freelancer] = [await first.register('Client'), await first.register('Freelancer')]
    const { contractId } = await createContract(first.app, first.clock, {
      clientId: client.id,
      freelancerId: freelancer.id,
    })
    const docName = `contract:${contractId}:terms`
    const a = await connectClient(baseA, docName, client.token)
    const b = await connectClient(baseB, docName, freelancer.token)
    t.teardown(() => (a.destroy(), b.destroy()))
    await Promise.all([a.synced(), b.synced()])
    const room = await workroomWithBidders(first, 1)
    const bidder = room.bidders[0]!
    const events = await openEvents(`${baseB.replace(/^http/, 'ws')}/api/v1/events`, {
      headers: { authorization: `Bearer ${bidder.user.token}` },
    })
    t.teardown(() => events.socket.close())

    // Both people type a numbered marker every 50 ms, before, during and after the outage.
    const sent = { a: 0, b: 0 }
    const typing = setInterval(() => {
      a.doc.getText('scope').insert(0, `a${sent.a++};`)
      b.doc.getText('scope').insert(0, `b${sent.b++};`)
    }, 50)
    t.teardown(() => clearInterval(typing))
    await new Promise((resolve) => setTimeout(resolve, 1000))

    await redis.stop()
    const outageStart = performance.now()
    // Readiness says so within 2 s, naming Redis.
    let readyStatus = 0
    let readyBody: { checks?: Record<string, string> } = {}
    await until(
      async () => {
        const response = await fetch(`${baseA}/readyz`)
        readyStatus = response.status
        readyBody = (await response.json()) as typeof readyBody
        return response.status === 503
      },
      2500,
      '/readyz to answer 503',
    )
    const readyAfterMs = performance.now() - outageStart
    t.equal(readyStatus, 503)
    t.equal(readyBody.checks?.redis, 'failing', 'the failing dependency is named')
    t.equal(readyBody.checks?.database, 'ok')

    // A message posted meanwhile is stored at once (its live event is lost: see the resync below).
    const postStart = performance.now()
    const posted = await second.call({
      method: 'POST',
      url: `/api/v1/threads/${bidder.threadId}/messages`,
      token: room.client.token,
      payload: { body: 'Posted while Redis is down' },
    })
    const postMs = performance.now() - postStart
    t.equal(posted.statusCode, 201, posted.body)
    t.ok(postMs < 2000, `the message was accepted in ${postMs.toFixed(0)} ms`)

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageMs - (performance.now() - outageStart))))
    const duringA = sent.a
    t.notOk(text(b).includes(`a${duringA - 1};`), 'while Redis is away, the other instance does not see the edits')

    await redis.start()
    const back = performance.now()
    await new Promise((resolve) => setTimeout(resolve, 500))
    clearInterval(typing)
    const expected = [...markers('a', sent.a), ...markers('b', sent.b)]
    const complete = (client: TestClient) => {
      const content = text(client)
      return expected.every((marker) => content.includes(marker))
    }
    await until(() => complete(a) && complete(b) && text(a) === text(b), 5000, 'convergence within 5 s')
    const convergedMs = performance.now() - back
    t.ok(convergedMs <= 5000, `clients converged ${convergedMs.toFixed(0)} ms after Redis returned`)
    t.same(a.closes, [], 'no client was disconnected')
    t.same(b.closes, [], 'no client was disconnected')

    // Each instance's replica, as a fresh client reads it, holds the same document.
    const freshA = await connectClient(baseA, docName, client.token)
    const freshB = await connectClient(baseB, docName, freelancer.token)
    t.teardown(() => (freshA.destroy(), freshB.destroy()))
    await Promise.all([freshA.synced(), freshB.synced()])
    t.equal(text(freshA), text(a), 'replica A is identical')
    t.equal(text(freshB), text(a), 'replica B is identical')

    const resync = await events.next((frame) => frame.type === 'stream.resync', 5000)
    t.ok(resync, 'the open event stream was told to re-read what it shows')
    t.equal((await fetch(`${baseA}/readyz`)).status, 200, 'ready again')
    t.comment(
      `redis outage ${outageMs} ms: edits sent ${sent.a + sent.b} (${duringA} by A before the end of the outage), ` +
        `present on both clients and both replicas ${expected.filter((m) => text(freshA).includes(m)).length}; ` +
        `readyz 503 after ${readyAfterMs.toFixed(0)} ms; message during outage ${postMs.toFixed(0)} ms; ` +
        `converged ${convergedMs.toFixed(0)} ms after Redis returned`,
    )
  },
)

t.test('stream keys expire: documents opened and closed leave no key behind for long', chaos, async (t) => {
  const redis = await startRedis()
  t.teardown(() => redis.stop())
  const ctx = await build(t, {
    env: {
      REDIS_URL: redis.url,
      TICKETS_PER_MINUTE: '1000',
      WRITES_PER_MINUTE: '1000',
      WS_CONNECTS_PER_MINUTE: '1000',
    },
  })
  const base = await listen(ctx.app)
  const [writer, reader] = [await ctx.register('Writer'), await ctx.register('Reader')]
  registerTestKind(ctx.app, { writer: writer.id, reader: reader.id })
  const documents = 1000
  const open = async (i: number) => {
    const client = await connectClient(base, `test:doc-${i}`, writer.token)
    await client.synced()
    client.doc.getText('t').insert(0, `document ${i}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
    client.destroy()
  }
  // Ten at a time, as ten people might.
  for (let i = 0; i < documents; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => open(i + k)))
  const admin = new Redis(redis.url)
  t.teardown(() => admin.disconnect())
  await until(async () => (await admin.keys('workroom:doc:*')).length >= documents, 5000, 'every stream written')
  const keys = await admin.keys('workroom:doc:*')
  const ttls = await Promise.all(keys.map((key) => admin.pttl(key)))
  t.equal(keys.length, documents, `${documents} documents wrote ${keys.length} streams`)
  t.ok(
    ttls.every((ttl) => ttl > 0 && ttl <= 120_000),
    'each expires within 2 minutes of its last write',
  )
  t.comment(`stream keys after ${documents} documents: ${keys.length}, longest time to live ${Math.max(...ttls)} ms`)
})
