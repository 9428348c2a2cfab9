// Chaos: SIGTERM to a server process while a client streams edits into a document. The
// server stops accepting, commits what it holds, closes the document sockets with 1012
// (so providers reconnect to another instance) and exits 0 within 5 s; every edit another
// client had received (committed, i.e. acknowledged) is in the database after a restart.
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { prepareDocument, startServer, storedValues, streamEdits } from '../fixtures/server-process.js'

t.setTimeout(180_000)

// Like every chaos scenario, part of the Postgres run of CI (the server itself runs on PGlite on disk).
const chaos = { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (the Postgres run of CI)' }

t.test(
  'SIGTERM under load: exit 0 within 5 s, sockets closed with 1012, no acknowledged edit lost',
  chaos,
  async (t) => {
    const doc = await prepareDocument(t)
    const server = await startServer({ DATA_DIR: doc.dataDir, DATABASE_URL: '' })
    t.teardown(() => server.child.kill('SIGKILL'))
    const stream = await streamEdits(server.base, doc)
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      server.child.once('exit', (code, signal) => resolve({ code, signal })),
    )
    const signalledAt = performance.now()
    server.child.kill('SIGTERM')
    const { code, signal } = await Promise.race([
      exited,
      new Promise<{ code: null; signal: 'still running' }>((resolve) =>
        setTimeout(() => resolve({ code: null, signal: 'still running' }), 10_000),
      ),
    ])
    const took = performance.now() - signalledAt
    stream.stop()
    const acknowledged = new Set(stream.received)
    const closes = [...stream.writer.closes, ...stream.watcher.closes]
    stream.writer.destroy()
    stream.watcher.destroy()
    t.equal(code, 0, `the server exited with code 0 (signal ${signal})`)
    t.ok(took < 5000, `within 5 s of SIGTERM (${took.toFixed(0)} ms)`)
    t.match(closes, [{ code: 1012 }, { code: 1012 }], 'both document sockets were closed with 1012 (restarting)')

    const stored = await storedValues(t, doc)
    const missing = [...acknowledged].filter((value) => !stored.has(value))
    t.same(missing, [], `all ${acknowledged.size} acknowledged edits are stored`)
    t.comment(
      `SIGTERM under load: exit ${code} after ${took.toFixed(0)} ms; sent ${stream.sent()}, acknowledged ` +
        `${acknowledged.size}, stored ${stored.size}, lost ${missing.length}; closes ${closes.map((c) => c.code).join(',')}`,
    )
  },
)
