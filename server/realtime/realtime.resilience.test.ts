// The CRDT engine when things go wrong around it: restarts and shutdowns, two instances on
// one database, compaction, reconnects, and the limits that protect the server. A server on
// a free port, stock y-websocket providers over `ws`, the real database underneath.
import { randomInt } from 'node:crypto'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { WebSocket } from 'ws'
import { realtimeSnapshotsTable } from '../../db/schema/index.js'
import { build } from '../../test/helper.js'
import { connectClient, listen, registerTestKind, storedUpdates, ticket, until } from '../../test/fixtures/realtime.js'

t.setTimeout(120_000)

t.test('a restarted app on the same database serves the same content; compaction keeps it', async (t) => {
  const { app, register, database, config, clock } = await build(t, {
    env: { DOC_COMPACT_UPDATES: '500', DOC_UNLOAD_AFTER_MS: '100' },
  })
  const base = await listen(app)
  const [writer, reader] = [await register('W'), await register('R')]
  registerTestKind(app, { writer: writer.id, reader: reader.id })
  const w = await connectClient(base, 'test:long', writer.token)
  t.teardown(() => w.destroy())
  await w.synced()
  // 600 separately committed changes: past 500 the log is folded into a snapshot.
  for (let i = 0; i < 600; i++) await app.realtime.write('test:long', (doc) => doc.getArray('log').push([i]))
  w.doc.getText('t').insert(0, 'from a client')
  await until(() => w.doc.getArray('log').length === 600, 5000, 'client has all')
  await app.realtime.flush()
  await until(
    async () =>
      (await app.db.select().from(realtimeSnapshotsTable).where(eq(realtimeSnapshotsTable.docName, 'test:long')))
        .length === 1,
    5000,
    'snapshot',
  )
  t.ok(
    (await storedUpdates(app, 'test:long')) < 500,
    `log compacted (${await storedUpdates(app, 'test:long')} rows left)`,
  )
  w.destroy()
  await until(() => !app.realtime.engine.isLoaded('test:long'), 5000, 'unloaded after the last client left')
  t.equal(await storedUpdates(app, 'test:long'), 0, 'unloading compacted the rest')

  // A second app on the same database.
  const { buildApp } = await import('../app.js')
  const second = await buildApp(config, { clock, database })
  t.teardown(() => second.close())
  await second.ready()
  registerTestKind(second, { writer: writer.id, reader: reader.id })
  const content = await second.realtime.read('test:long', (doc) => ({
    log: doc.getArray('log').toArray(),
    text: doc.getText('t').toString(),
  }))
  t.equal(content.log.length, 600)
  t.same(content.log.slice(0, 3), [0, 1, 2])
  t.equal(content.text, 'from a client')
})

t.test('two instances compacting one document never overwrite each other: a newer snapshot is merged in', async (t) => {
  const { app, database, config, clock } = await build(t)
  const { buildApp } = await import('../app.js')
  // No relay between them (no REDIS_URL): the worst case, each misses the other's updates.
  const second = await buildApp(config, { clock, database })
  t.teardown(() => second.close())
  await second.ready()
  for (const instance of [app, second]) registerTestKind(instance, { writer: 'nobody', reader: 'nobody' })
  const docName = 'test:two-compactors'
  const set = (instance: typeof app, key: string) =>
    instance.realtime.write(docName, (doc) => doc.getMap('m').set(key, true))

  await set(app, 'first')
  t.equal(
    await second.realtime.read(docName, (doc) => doc.getMap('m').get('first')),
    true,
    'the second instance loads what the first wrote',
  )
  await set(app, 'a1')
  await app.realtime.engine.compact(docName) // a snapshot with a1; a1's row deleted
  await set(second, 'b1') // the second instance never received a1
  await second.realtime.engine.compact(docName) // must merge the first's snapshot, not replace it
  await set(app, 'a2')
  await app.realtime.engine.compact(docName)
  t.equal(await storedUpdates(app, docName), 0, 'every row folded')

  await app.realtime.engine.unloadIdle()
  await second.realtime.engine.unloadIdle()
  const keys = await app.realtime.read(docName, (doc) => [...doc.getMap('m').keys()].sort())
  t.same(keys, ['a1', 'a2', 'b1', 'first'], 'the stored document holds what both instances wrote')
})

t.test(
  'limits: a frame over the limit closes with 1009; a document over its cap refuses the update and says why',
  async (t) => {
    const { app, register } = await build(t, { env: { WS_MAX_FRAME_BYTES: '65536', DOC_MAX_BYTES: '200000' } })
    const base = await listen(app)
    const [writer, reader] = [await register('W'), await register('R')]
    registerTestKind(app, { writer: writer.id, reader: reader.id })
    const w = await connectClient(base, 'test:limits', writer.token)
    t.teardown(() => w.destroy())
    await w.synced()
    w.doc.getText('t').insert(0, 'x'.repeat(70_000))
    t.equal((await w.closed()).code, 1009, 'frame too large')

    const denied: string[] = []
    const { openDocument } = await import('../../common/documents.js')
    const big = openDocument({
      baseUrl: base,
      docName: 'test:limits',
      getTicket: () => ticket(base, writer.token),
      WebSocketPolyfill: WebSocket,
      disableBc: true,
    })
    t.teardown(() => big.destroy())
    await big.synced()
    for (let i = 0; i < 5; i++) big.doc.getText('t').insert(0, 'y'.repeat(50_000))
    const terminated = await new Promise<{ code: number }>((resolve) => big.onTerminated(resolve))
    denied.push(big.denied ?? '')
    t.equal(terminated.code, 1009, 'document too large: closed with 1009')
    t.match(denied[0], /document\.too_large/, 'the client was told why')
    const stored = await app.realtime.read('test:limits', (doc) => doc.getText('t').length)
    t.ok(stored <= 200_000, `the document stayed under its cap (${stored})`)
  },
)

t.test('shutdown commits what it received, then closes document sockets with 1012', async (t) => {
  const { app, register, config, clock, database } = await build(t)
  const base = await listen(app)
  const [writer, reader] = [await register('W'), await register('R')]
  registerTestKind(app, { writer: writer.id, reader: reader.id })
  const w = await connectClient(base, 'test:shutdown', writer.token)
  t.teardown(() => w.destroy())
  await w.synced()
  w.doc.getMap('m').set('last', 'words')
  await new Promise((resolve) => setTimeout(resolve, 100))
  await app.close()
  t.equal((await w.closed()).code, 1012, 'told to reconnect (server restarting)')
  const { buildApp } = await import('../app.js')
  const second = await buildApp(config, { clock, database })
  t.teardown(() => second.close())
  await second.ready()
  registerTestKind(second, { writer: writer.id, reader: reader.id })
  t.equal(
    await second.realtime.read('test:shutdown', (doc) => doc.getMap('m').get('last')),
    'words',
    'the last edit was committed',
  )
})

t.test('the SDK reconnects after a server restart close with a fresh ticket', async (t) => {
  const { app, register } = await build(t)
  const base = await listen(app)
  const [writer, reader] = [await register('W'), await register('R')]
  registerTestKind(app, { writer: writer.id, reader: reader.id })
  const { openDocument } = await import('../../common/documents.js')
  let tickets = 0
  const sdk = openDocument({
    baseUrl: base,
    docName: 'test:reconnect',
    getTicket: () => (tickets++, ticket(base, writer.token)),
    WebSocketPolyfill: WebSocket,
    disableBc: true,
    minReconnectMs: 20,
    maxReconnectMs: 200,
  })
  t.teardown(() => sdk.destroy())
  await sdk.synced()
  // The server drops the socket as on a restart; the SDK edits while disconnected. The edit is
  // made as the socket closes: the SDK reconnects within ~20 ms, a window a poll can miss.
  const edited = new Promise<boolean>((resolve) => {
    const onStatus = ({ status }: { status: string }) => {
      if (status !== 'disconnected') return
      sdk.provider.off('status', onStatus)
      sdk.doc.getMap('m').set('offline', 'edit')
      resolve(sdk.provider.wsconnected)
    }
    sdk.provider.on('status', onStatus)
  })
  for (const entry of app.sockets.forUser(writer.id)) entry.socket.close(1012, 'server restarting')
  t.equal(await edited, false, 'the edit was made while disconnected')
  await until(() => sdk.provider.synced && sdk.provider.wsconnected, 5000, 'reconnected and synced')
  t.equal(tickets, 2, 'a fresh ticket for the reconnect (tickets are single use)')
  await until(
    async () => (await app.realtime.read('test:reconnect', (doc) => doc.getMap('m').get('offline'))) === 'edit',
    5000,
    'offline edit arrives',
  )
  t.pass('the edit made while disconnected reached the server')
})

t.test(
  'limits: connection attempts per IP are throttled (4429); a reader that stops reading is dropped (4008)',
  async (t) => {
    const { app, register } = await build(t, {
      env: { WS_CONNECTS_PER_MINUTE: '4', WS_SEND_BUFFER_BYTES: '65536', DOC_MAX_BYTES: '49152', TRUST_PROXY: 'true' },
    })
    const base = await listen(app)
    const [writer, reader] = [await register('W'), await register('R')]
    registerTestKind(app, { writer: writer.id, reader: reader.id })
    // An address of its own: with REDIS_URL, every test of the run counts in the same Redis.
    const address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

    // A reader whose socket no longer reads: what the server sends piles up, then it is closed.
    const stuck = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/test:slow`, {
      headers: { authorization: `Bearer ${reader.token}`, 'x-forwarded-for': address },
    })
    await new Promise((resolve) => stuck.once('message', resolve))
    ;(stuck as unknown as { _socket: { pause(): void } })._socket.pause()
    t.equal(app.realtime.stats().connections, 1)
    for (let i = 0; i < 40 && app.realtime.stats().connections > 0; i++) {
      await app.realtime.write('test:slow', (doc) => doc.getText('t').insert(0, 'z'.repeat(200_000)))
    }
    t.equal(app.realtime.stats().connections, 0, 'the slow reader was closed once its send buffer passed the limit')
    stuck.terminate()

    const codes: number[] = []
    for (let i = 0; i < 4; i++) {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/test:busy`, {
        headers: { 'x-forwarded-for': address },
      })
      codes.push(await new Promise<number>((resolve) => socket.on('close', (code) => resolve(code))))
    }
    t.same(
      codes,
      [4401, 4401, 4401, 4429],
      'three attempts get as far as authentication; the fourth (fifth in the minute) is throttled',
    )
  },
)
