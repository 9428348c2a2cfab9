// Two instances sharing the database and Redis: updates and presence cross over Redis Streams,
// and connection attempts are counted together.
import { randomInt } from 'node:crypto'
import t, { type Test } from 'tap'
import { WebSocket } from 'ws'
import { buildApp } from '../server/app.js'
import { build } from './helper.js'
import { createContract } from './fixtures/contract.js'
import { connectClient, listen, until } from './fixtures/realtime.js'

t.setTimeout(120_000)

/** Two apps on one database and Redis; the client's terms document open on the first, the freelancer's on the second. */
async function twoInstances(t: Test, env: Record<string, string> = {}) {
  const first = await build(t, { env })
  const { clock, config, database, register } = first
  const second = await buildApp(config, { clock, database })
  t.teardown(() => second.close())
  await second.ready()
  const [baseA, baseB] = [await listen(first.app), await listen(second)]
  const [client, freelancer] = [await register('Client'), await register('Freelancer')]
  const { contractId } = await createContract(first.app, clock, { clientId: client.id, freelancerId: freelancer.id })
  const docName = `contract:${contractId}:terms`
  const a = await connectClient(baseA, docName, client.token)
  const b = await connectClient(baseB, docName, freelancer.token)
  t.teardown(() => (a.destroy(), b.destroy()))
  await Promise.all([a.synced(), b.synced()])
  return { first, second, docName, a, b }
}

t.test(
  'two instances sharing Redis and Postgres relay updates and awareness (needs REDIS_URL)',
  { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' },
  async (t) => {
    const { a, b } = await twoInstances(t)
    t.equal(
      b.doc.getText('scope').toString(),
      a.doc.getText('scope').toString(),
      'both instances loaded the same document',
    )

    for (let i = 0; i < 20; i++) {
      a.doc.getText('scope').insert(0, `a${i} `)
      b.doc.getText('scope').insert(0, `b${i} `)
    }
    await until(
      () =>
        a.doc.getText('scope').toString() === b.doc.getText('scope').toString() &&
        /a19/.test(b.doc.getText('scope').toString()) &&
        /b19/.test(a.doc.getText('scope').toString()),
      10_000,
      'convergence across instances',
    )
    t.pass('clients on different instances converge')

    // Cross-instance latency: the time from an edit on A until it shows on B.
    const latencies: number[] = []
    for (let i = 0; i < 20; i++) {
      const arrived = new Promise<number>((resolve) => {
        const probe = b.doc.getMap('probe')
        const observer = () => {
          if (probe.get('n') !== i) return
          probe.unobserve(observer)
          resolve(performance.now())
        }
        probe.observe(observer)
      })
      const sent = performance.now()
      a.doc.getMap('probe').set('n', i)
      latencies.push((await arrived) - sent)
    }
    latencies.sort((x, y) => x - y)
    t.comment(
      `cross-instance latency over ${latencies.length} edits: p50 ${latencies[10]!.toFixed(1)} ms, max ${latencies[19]!.toFixed(1)} ms`,
    )

    a.provider.awareness.setLocalStateField('user', { name: 'Client', cursor: 3 })
    await until(
      () =>
        [...b.provider.awareness.getStates().values()].some(
          (s) => (s as { user?: { name: string } }).user?.name === 'Client',
        ),
      5000,
      'presence crosses instances',
    )
    t.pass('awareness crosses instances')
    a.destroy()
    await until(
      () =>
        ![...b.provider.awareness.getStates().values()].some(
          (s) => (s as { user?: { name: string } }).user?.name === 'Client',
        ),
      5000,
      'presence removed',
    )
    t.pass('a client leaving disappears on the other instance')
  },
)

t.test(
  'two instances compact one document while both serve it: the log stays short and nothing is lost (needs REDIS_URL)',
  { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' },
  async (t) => {
    const { first, second, docName, a, b } = await twoInstances(t, {
      DOC_COMPACT_UPDATES: '20',
      DOC_UNLOAD_AFTER_MS: '200',
    })
    const rows = async () =>
      (
        await first.app.database.query('select count(*)::int as n from realtime_updates where doc_name = $1', [docName])
      )[0]!.n as number

    // 60 separately committed edits from each side: each instance passes its 20-row threshold several times.
    for (let i = 0; i < 60; i++) {
      a.doc.getText('scope').insert(0, `a${i} `)
      b.doc.getText('scope').insert(0, `b${i} `)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await until(
      () =>
        a.doc.getText('scope').toString() === b.doc.getText('scope').toString() &&
        /a59 /.test(b.doc.getText('scope').toString()) &&
        /b59 /.test(a.doc.getText('scope').toString()),
      10_000,
      'convergence',
    )
    await Promise.all([first.app.realtime.flush(), second.realtime.flush()])
    await until(async () => (await rows()) <= 45, 10_000, 'compacted while both serve it')
    t.pass(`the log was folded while both instances served the document (${await rows()} rows left of 120+)`)
    const expected = a.doc.getText('scope').toString()

    a.destroy()
    b.destroy()
    await until(
      () => !first.app.realtime.engine.isLoaded(docName) && !second.realtime.engine.isLoaded(docName),
      10_000,
      'both unloaded',
    )
    t.equal(await rows(), 0, 'unloading folded the rest')
    t.equal(
      await second.realtime.read(docName, (doc) => doc.getText('scope').toString()),
      expected,
      'a fresh load has every edit from both sides',
    )
  },
)

t.test(
  'two instances count document connection attempts per client address together (needs REDIS_URL)',
  { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' },
  async (t) => {
    const first = await build(t, { env: { WS_CONNECTS_PER_MINUTE: '3', TRUST_PROXY: 'true' } })
    const second = await buildApp(first.config, { clock: first.clock, database: first.database })
    t.teardown(() => second.close())
    await second.ready()
    const [baseA, baseB] = [await listen(first.app), await listen(second)]
    // An address no other test uses: counts stay in the shared Redis for a minute.
    const address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`
    const attempt = (base: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/test:busy`, {
          headers: { 'x-forwarded-for': address },
        })
        socket.on('close', (code) => resolve(code))
      })
    const codes = [await attempt(baseA), await attempt(baseB), await attempt(baseA), await attempt(baseB)]
    t.same(
      codes,
      [4401, 4401, 4401, 4429],
      'the fourth attempt within the minute is refused, though each instance saw only two',
    )
  },
)
