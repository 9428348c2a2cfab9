// What a document connection may not do to the others (issue 20, F2 and F5): grow a document
// past what a fresh client can receive, or show a read-only viewer's presence. Real server on
// a free port, stock y-websocket providers, default settings.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { build } from './helper.js'
import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import * as Y from 'yjs'
import { realtimeSnapshotsTable, realtimeUpdatesTable } from '../db/schema/index.js'
import { connectClient, listen, registerTestKind, until } from './fixtures/realtime.js'

t.setTimeout(120_000)

/** About `bytes` of text no compression can shrink. */
const noise = (bytes: number) =>
  randomBytes(Math.ceil((bytes * 3) / 4))
    .toString('base64')
    .slice(0, bytes)

/** The text of the document as stored: its snapshot and log replayed into a new Y.Doc. */
async function storedTextLength(app: FastifyInstance, docName: string): Promise<number> {
  const doc = new Y.Doc()
  // Both read from one snapshot of the database: a compaction between two separate reads
  // (the new snapshot not yet seen, the log already trimmed) would show half the document.
  const [snapshots, updates] = await app.db.transaction(
    async (tx) => [
      await tx.select().from(realtimeSnapshotsTable).where(eq(realtimeSnapshotsTable.docName, docName)),
      await tx.select().from(realtimeUpdatesTable).where(eq(realtimeUpdatesTable.docName, docName)),
    ],
    { isolationLevel: 'repeatable read' },
  )
  for (const row of [...snapshots, ...updates]) Y.applyUpdate(doc, row.data)
  const length = doc.getText('t').length
  doc.destroy()
  return length
}

t.test(
  'a document stops growing at DOC_MAX_BYTES; its sender is told, others and the store never see the change; a fresh client still loads it',
  async (t) => {
    const { app, config, register } = await build(t)
    const base = await listen(app)
    const [writer, reader] = [await register('W'), await register('R')]
    registerTestKind(app, { writer: writer.id, reader: reader.id })
    const docName = 'test:big'
    const w = await connectClient(base, docName, writer.token)
    const r = await connectClient(base, docName, reader.token)
    t.teardown(() => (w.destroy(), r.destroy()))
    await Promise.all([w.synced(), r.synced()])

    // Grow the document by frames well under the frame limit until the next would pass the cap.
    const chunk = 700 * 1024
    t.ok(chunk < config.wsMaxFrameBytes, 'each change fits in one frame')
    let length = 0
    // (A little headroom: each stored update carries some bytes besides its text.)
    while ((length + chunk) * 1.02 < config.docMaxBytes) {
      w.doc.getText('t').insert(length, noise(chunk))
      length += chunk
      await until(() => r.doc.getText('t').length === length, 10_000, `the reader receives ${length} characters`)
      await app.realtime.flush()
    }
    t.ok(length + chunk > config.docMaxBytes, `the document holds ${(length / 1024 / 1024).toFixed(2)} MiB`)

    w.doc.getText('t').insert(length, noise(chunk))
    const closed = await Promise.race([
      w.closed(),
      new Promise((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000)),
    ])
    t.same(closed, { code: 1009, reason: 'document size limit reached' }, 'the sender is closed with 1009 and told why')
    await new Promise((resolve) => setTimeout(resolve, 300))
    await app.realtime.flush()
    t.equal(r.doc.getText('t').length, length, 'the other client never received the change')
    t.equal(r.closes.length, 0, 'and stays connected')
    t.equal(await storedTextLength(app, docName), length, 'the stored document (snapshot and log) lacks it too')
    t.equal(
      await app.realtime.read(docName, (doc) => doc.getText('t').length),
      length,
      "the server's document is unchanged",
    )

    // A fresh client receives the whole document in one message, within its send buffer.
    const fresh = await connectClient(base, docName, reader.token)
    t.teardown(() => fresh.destroy())
    await Promise.race([
      fresh.synced(),
      fresh.closed().then((c) => Promise.reject(new Error(`fresh client closed: ${c.code} ${c.reason}`))),
    ])
    t.equal(fresh.doc.getText('t').toString(), r.doc.getText('t').toString(), 'a fresh client loads the whole document')
    t.equal(fresh.closes.length, 0, 'and is not closed as too slow (4008)')
  },
)

t.test('presence from a read-only connection is dropped, not relayed', async (t) => {
  const { app, register } = await build(t)
  const base = await listen(app)
  const [writer, reader] = [await register('W'), await register('R')]
  registerTestKind(app, { writer: writer.id, reader: reader.id })
  const w = await connectClient(base, 'test:presence', writer.token)
  const r = await connectClient(base, 'test:presence', reader.token)
  t.teardown(() => (w.destroy(), r.destroy()))
  await Promise.all([w.synced(), r.synced()])
  const readerId = r.doc.clientID
  const writerId = w.doc.clientID

  r.provider.awareness.setLocalState({ name: 'Reader', cursor: 42 })
  // Then the writer: once the reader sees the writer's presence, anything the server relayed
  // from the reader before it would have reached the writer too.
  w.provider.awareness.setLocalState({ name: 'Writer', cursor: 7 })
  await until(
    () => (r.provider.awareness.getStates().get(writerId) as { cursor?: number } | undefined)?.cursor === 7,
    5000,
    "the reader sees the writer's presence",
  )
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.notOk(w.provider.awareness.getStates().has(readerId), "the writer never sees the read-only viewer's presence")
  t.equal(r.closes.length, 0, 'the reader stays connected')
})
