// Kill-safety: a server process killed with SIGKILL while a client streams edits loses no
// update that any other client had received.
import t from 'tap'
import { prepareDocument, startServer, storedValues, streamEdits } from './fixtures/server-process.js'

t.setTimeout(180_000)

t.test('SIGKILL while a client streams edits: every update another client received survives', async (t) => {
  // PGlite on disk in both runs: the child process owns the database, as in production.
  const doc = await prepareDocument(t)
  const first = await startServer({ DATA_DIR: doc.dataDir, DATABASE_URL: '' })
  const stream = await streamEdits(first.base, doc)
  first.child.kill('SIGKILL')
  stream.stop()
  const seen = new Set(stream.received)
  // Neither client may bring its copy back: only the server's database counts.
  stream.writer.destroy()
  stream.watcher.destroy()
  await new Promise((resolve) => first.child.once('exit', resolve))
  t.comment(`sent ${stream.sent()}, the watcher had received ${seen.size} when the server was killed`)

  const stored = await storedValues(t, doc)
  const missing = [...seen].filter((value) => !stored.has(value))
  t.same(missing, [], `all ${seen.size} received updates are in the restarted document (${stored.size} stored)`)
})
