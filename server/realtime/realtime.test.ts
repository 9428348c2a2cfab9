// The CRDT engine through its real endpoint: a server on a free port, stock y-websocket
// providers over `ws`, the real database underneath. Restarts, compaction and limits are in
// realtime.resilience.test.ts.
import { eq } from 'drizzle-orm'
import t from 'tap'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { build } from '../../test/helper.js'
import { connectClient, listen, registerTestKind, storedUpdates, ticket, until } from '../../test/fixtures/realtime.js'
import { createContract } from '../../test/fixtures/contract.js'

t.setTimeout(120_000)

t.test('two clients edit the terms at once and converge; a late client gets everything', async (t) => {
  const { app, clock, register } = await build(t)
  const base = await listen(app)
  const [client, freelancer] = [await register('Client'), await register('Freelancer')]
  const { contractId } = await createContract(app, clock, { clientId: client.id, freelancerId: freelancer.id })
  const docName = `contract:${contractId}:terms`
  const a = await connectClient(base, docName, client.token)
  const b = await connectClient(base, docName, freelancer.token)
  t.teardown(() => (a.destroy(), b.destroy()))
  await Promise.all([a.synced(), b.synced()])
  t.equal(a.doc.getText('scope').toString(), 'Build a landing page', 'seeded from the offer')
  t.equal(b.doc.getMap('terms').get('price'), 100_000)

  for (let i = 0; i < 20; i++) {
    a.doc.getText('scope').insert(0, `a${i} `)
    b.doc.getText('scope').insert(b.doc.getText('scope').length, ` b${i}`)
  }
  a.doc.getMap('terms').set('price', 120_000)
  b.doc.getArray<Y.Map<unknown>>('milestones').push([
    new Y.Map([
      ['title', 'Extra'],
      ['amount', 20_000],
      ['dueDate', '2030-01-01'],
    ]),
  ])
  await until(
    () =>
      a.doc.getText('scope').toString() === b.doc.getText('scope').toString() &&
      b.doc.getMap('terms').get('price') === 120_000 &&
      a.doc.getArray('milestones').length === 2,
    5000,
    'convergence',
  )
  t.match(a.doc.getText('scope').toString(), /a19 .*b19/)

  const c = await connectClient(base, docName, client.token)
  t.teardown(() => c.destroy())
  await c.synced()
  t.equal(c.doc.getText('scope').toString(), a.doc.getText('scope').toString(), 'a late client receives the full state')
  t.same(c.doc.getArray('milestones').toJSON(), a.doc.getArray('milestones').toJSON())
})

t.test('a read-only client never changes the document; a stranger and an anonymous caller are closed', async (t) => {
  const { app, register } = await build(t)
  const base = await listen(app)
  const [writer, reader, stranger] = [await register('W'), await register('R'), await register('S')]
  registerTestKind(app, { writer: writer.id, reader: reader.id })
  const w = await connectClient(base, 'test:ro', writer.token)
  const r = await connectClient(base, 'test:ro', reader.token)
  t.teardown(() => (w.destroy(), r.destroy()))
  await Promise.all([w.synced(), r.synced()])
  w.doc.getMap('m').set('from', 'writer')
  await until(() => r.doc.getMap('m').get('from') === 'writer', 5000, 'reader receives')
  await app.realtime.flush()
  const stateVector = await app.realtime.read('test:ro', (doc) => Y.encodeStateVector(doc))
  const before = await storedUpdates(app, 'test:ro')

  r.doc.getMap('m').set('from', 'reader')
  r.doc.getText('t').insert(0, 'sneaky')
  await new Promise((resolve) => setTimeout(resolve, 300))
  await app.realtime.flush()
  t.same(
    await app.realtime.read('test:ro', (doc) => Y.encodeStateVector(doc)),
    stateVector,
    "the server's state vector did not move",
  )
  t.equal(w.doc.getMap('m').get('from'), 'writer', 'the writer never saw it')
  t.equal(await storedUpdates(app, 'test:ro'), before, 'nothing stored')
  t.equal(r.closes.length, 0, 'the reader stays connected and keeps receiving')
  w.doc.getMap('m').set('again', 1)
  await until(() => r.doc.getMap('m').get('again') === 1, 5000, 'reader still receives')

  const s = await connectClient(base, 'test:ro', stranger.token)
  t.teardown(() => s.destroy())
  t.equal((await s.closed()).code, 4404, 'no access: 4404')

  const anonymous = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/test:ro`)
  const anonClose = await new Promise<number>((resolve) => anonymous.on('close', (code) => resolve(code)))
  t.equal(anonClose, 4401, 'anonymous: 4401')
  const bogusTicket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/test:ro?ticket=nope`)
  t.equal(
    await new Promise<number>((resolve) => bogusTicket.on('close', (code) => resolve(code))),
    4401,
    'bad ticket: 4401',
  )
  const unknown = await connectClient(base, 'nothing:here', writer.token)
  t.teardown(() => unknown.destroy())
  t.equal((await unknown.closed()).code, 4404, 'unknown document kind: 4404')
  const badOrigin = new WebSocket(
    `${base.replace('http', 'ws')}/api/v1/docs/test:ro?ticket=${await ticket(base, writer.token)}`,
    { origin: 'https://evil.example' },
  )
  t.equal(
    await new Promise<number>((resolve) => badOrigin.on('close', (code) => resolve(code))),
    4403,
    'foreign Origin: 4403',
  )

  const plain = await fetch(`${base}/api/v1/docs/test:ro`, { headers: { authorization: `Bearer ${writer.token}` } })
  t.equal(plain.status, 426, 'plain HTTP is told to upgrade')
  t.equal(((await plain.json()) as { code: string }).code, 'realtime.upgrade_required')
})

t.test('document names with ":" survive URL encoding both ways', async (t) => {
  const { app, register } = await build(t)
  const base = await listen(app)
  const [writer, reader] = [await register('W'), await register('R')]
  registerTestKind(app, { writer: writer.id, reader: reader.id })
  const raw = await connectClient(base, 'test:enc:1', writer.token)
  const encoded = await connectClient(base, encodeURIComponent('test:enc:1'), reader.token)
  t.teardown(() => (raw.destroy(), encoded.destroy()))
  await Promise.all([raw.synced(), encoded.synced()])
  raw.doc.getMap('m').set('k', 'v')
  await until(() => encoded.doc.getMap('m').get('k') === 'v', 5000, 'same document either way')
  t.pass('raw and percent-encoded names open the same document')
})

t.test('logout closes the document sockets within a second; lost access closes them too', async (t) => {
  const { app, clock, call, register } = await build(t)
  const base = await listen(app)
  const [client, freelancer] = [await register('Client'), await register('Freelancer')]
  const { contractId } = await createContract(app, clock, { clientId: client.id, freelancerId: freelancer.id })
  const docName = `contract:${contractId}:terms`
  const a = await connectClient(base, docName, client.token)
  const b = await connectClient(base, docName, freelancer.token)
  t.teardown(() => (a.destroy(), b.destroy()))
  await Promise.all([a.synced(), b.synced()])

  const started = Date.now()
  t.equal((await call({ method: 'POST', url: '/api/v1/auth/logout', token: client.token })).statusCode, 204)
  const close = await a.closed()
  t.equal(close.code, 4001, 'session ended')
  t.ok(Date.now() - started < 1000, `closed in ${Date.now() - started} ms`)

  // The freelancer is replaced on the contract: their socket goes (4003) on every instance.
  const other = await register('Other')
  const { contractsTable } = await import('../../db/schema/index.js')
  await app.db.update(contractsTable).set({ freelancerId: other.id }).where(eq(contractsTable.id, contractId))
  const revokedAt = Date.now()
  await app.realtime.revokeAccess(docName)
  t.equal((await b.closed()).code, 4003, 'access revoked')
  t.ok(Date.now() - revokedAt < 1000)
})

t.test('an update reaches other clients only after it is committed', async (t) => {
  const { app, register } = await build(t)
  const base = await listen(app)
  const [writer, reader] = [await register('W'), await register('R')]
  registerTestKind(app, { writer: writer.id, reader: reader.id })
  const w = await connectClient(base, 'test:commit', writer.token)
  const r = await connectClient(base, 'test:commit', reader.token)
  const late = await connectClient(base, 'test:commit', reader.token)
  t.teardown(() => (w.destroy(), r.destroy(), late.destroy()))
  await Promise.all([w.synced(), r.synced(), late.synced()])

  // Hold the update log: an exclusive lock makes every insert wait until we let go.
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  const holder = app.db.transaction(async (tx) => {
    await tx.execute(`lock table realtime_updates in exclusive mode` as never)
    locked()
    await held
  })
  await isLocked
  w.doc.getMap('m').set('held', true)
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.equal(r.doc.getMap('m').get('held'), undefined, 'not relayed while the commit cannot happen')
  // A client asking for the whole state now (SyncStep1 from nothing) does not get it either.
  const { syncStep1Message } = await import('./protocol.js')
  ;(late.provider.ws as unknown as WebSocket).send(syncStep1Message(new Y.Doc()))
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(late.doc.getMap('m').get('held'), undefined, 'a sync reply never includes uncommitted changes')
  release()
  await holder
  await until(() => r.doc.getMap('m').get('held') === true, 5000, 'relayed after commit')
  await until(() => late.doc.getMap('m').get('held') === true, 5000, 'newcomer gets it after commit')
  t.ok((await storedUpdates(app, 'test:commit')) >= 1, 'and it is in the log')
})

t.test(
  'presence: a change goes out at once, a bare renewal waits to travel with others (but well within the 30 s timeout)',
  async (t) => {
    const { app, register } = await build(t)
    const base = await listen(app)
    const [writer, reader] = [await register('W'), await register('R')]
    registerTestKind(app, { writer: writer.id, reader: reader.id })
    const a = await connectClient(base, 'test:presence', writer.token)
    const b = await connectClient(base, 'test:presence', reader.token)
    t.teardown(() => (a.destroy(), b.destroy()))
    await Promise.all([a.synced(), b.synced()])
    const aId = a.doc.clientID
    a.provider.awareness.setLocalState({ name: 'W', cursor: 1 })
    await until(
      () => (b.provider.awareness.getStates().get(aId) as { cursor?: number } | undefined)?.cursor === 1,
      2000,
      'the first state arrives',
    )
    const clockOnB = () => b.provider.awareness.meta.get(aId)?.clock ?? -1

    // A renewal: the same state again (stock clients do this every 15 s).
    const before = clockOnB()
    a.provider.awareness.setLocalState({ name: 'W', cursor: 1 })
    await new Promise((resolve) => setTimeout(resolve, 600))
    t.equal(clockOnB(), before, 'a bare renewal is not passed on at once')
    a.provider.awareness.setLocalState({ name: 'W', cursor: 2 })
    await until(
      () => (b.provider.awareness.getStates().get(aId) as { cursor?: number }).cursor === 2,
      1000,
      'a real change arrives at once',
    )
    a.provider.awareness.setLocalState({ name: 'W', cursor: 2 })
    const renewed = clockOnB()
    await until(() => clockOnB() > renewed, 8000, 'the renewal arrives within seconds')
    t.pass('the renewal reached the other client, which keeps the state alive')
  },
)

t.test('the server-written state document drops every client write', async (t) => {
  const { app, clock, register } = await build(t)
  const base = await listen(app)
  const [client, freelancer, stranger] = [await register('C'), await register('F'), await register('S')]
  const { contractId } = await createContract(app, clock, { clientId: client.id, freelancerId: freelancer.id })
  const docName = `contract:${contractId}:state`
  const a = await connectClient(base, docName, client.token)
  const b = await connectClient(base, docName, freelancer.token)
  t.teardown(() => (a.destroy(), b.destroy()))
  await Promise.all([a.synced(), b.synced()])
  t.equal(a.doc.getMap('contract').get('state'), 'active')
  a.doc.getMap('contract').set('state', 'ended')
  a.doc.getMap('contract').set('price', 1)
  await app.contractState.write(contractId, (doc) => doc.getMap('milestones').set('m1', 'funded'))
  await until(() => b.doc.getMap('milestones').get('m1') === 'funded', 5000, 'server write reaches members')
  t.equal(b.doc.getMap('contract').get('state'), 'active', 'the client write never reached the other member')
  t.equal(await app.realtime.read(docName, (doc) => doc.getMap('contract').get('state')), 'active', 'nor the server')
  const s = await connectClient(base, docName, stranger.token)
  t.teardown(() => s.destroy())
  t.equal((await s.closed()).code, 4404)
})
