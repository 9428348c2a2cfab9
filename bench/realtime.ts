// Real-time benchmark: this server (durable: every update committed before it is relayed)
// on the workloads of ../shared/BENCH-ANCHORS.md, printed next to the peers' figures
// measured on this machine (in memory, nothing persisted).
//
//   npx tsx bench/realtime.ts            (PGlite on disk; DATABASE_URL=... for Postgres)
//   npx tsx bench/realtime.ts --quick    (smaller counts, for a smoke run)
//
// (a) fan-out: 1 document, 1 writer + 100 readers, paced 100 updates/s and a burst of 500
// (b) memory per loaded document: 1,000 documents x 2 clients x 20 keys; documents left
//     30 s after the last client left
// (c) cold load of a document with 10,000 updates of history
// (d) persisted updates per second
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { updateMessage } from '../server/realtime/protocol.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const quick = process.argv.includes('--quick')
/** `--only=a,b`: run some parts only (a fan-out, b memory, c cold load, d persisted). */
const only = (process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? 'a,b,c,d').split(',')

const server = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/realtime-server.ts'], {
  cwd: root,
  env: { ...process.env, DOC_UNLOAD_AFTER_MS: '30000' },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const [base, token, driver] = await new Promise<string[]>((resolve, reject) => {
  let output = ''
  server.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    const match = /BENCH READY (\S+) (\S+) (\S+)/.exec(output)
    if (match) resolve([match[1]!, match[2]!, match[3]!])
  })
  server.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
})
const ws = base!.replace('http', 'ws')

const rssOfServer = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) * 1024
type Stats = { rss: number; heapUsed: number; documents: number; connections: number; committedChanges: number; committedRows: number; commits: number }
const stats = async (gc = false) => (await (await fetch(`${base}/bench/stats${gc ? '?gc=1' : ''}`)).json()) as Stats
const post = async (url: string, body: unknown) => (await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const MiB = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** Authenticates with a bearer header (a Node client; browsers use tickets or the cookie). */
class BearerSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { headers: { authorization: `Bearer ${token}` } })
  }
}
/** A stock y-websocket provider. */
function client(docName: string) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`${ws}/api/v1/docs`, docName, doc, { WebSocketPolyfill: BearerSocket as unknown as typeof globalThis.WebSocket, disableBc: true })
  const synced = new Promise<void>((resolve) => provider.once('sync', () => resolve()))
  return {
    doc,
    provider,
    synced,
    destroy() {
      provider.destroy()
      provider.awareness.destroy()
      doc.destroy()
    },
  }
}

// (a) fan-out ------------------------------------------------------------------------------
const fanout: string[] = []
if (only.includes('a')) {
  const docName = 'bench:fanout'
  const writer = client(docName)
  await writer.synced
  const readers = Array.from({ length: 100 }, () => client(docName))
  await Promise.all(readers.map((r) => r.synced))
  if (process.env.BENCH_READERS_PRESENCE === 'off') for (const r of readers) r.provider.awareness.setLocalState(null)
  const sentAt = new Map<number, number>()
  const reachedBy = new Map<number, number>()
  const allAt = new Map<number, number>()
  for (const reader of readers) {
    reader.doc.getArray<number>('a').observe((event) => {
      const now = performance.now()
      for (const item of event.changes.added) {
        for (const i of item.content.getContent() as number[]) {
          const n = (reachedBy.get(i) ?? 0) + 1
          reachedBy.set(i, n)
          if (n === readers.length) allAt.set(i, now)
        }
      }
    })
  }
  const waitAll = async (ids: number[]) => {
    while (!ids.every((i) => allAt.has(i))) await sleep(2)
  }
  const latencies = (ids: number[]) => ids.map((i) => allAt.get(i)! - sentAt.get(i)!)
  let next = 0
  const send = () => {
    const i = next++
    sentAt.set(i, performance.now())
    writer.doc.getArray<number>('a').push([i])
    return i
  }
  for (let k = 0; k < 100; k++) {
    send()
    await sleep(10)
  }
  await waitAll([...sentAt.keys()])

  // paced: 100 updates/s
  const paced: number[] = []
  const pacedCount = quick ? 300 : 1500
  const pacedStart = performance.now()
  for (let k = 0; k < pacedCount; k++) {
    const wait = pacedStart + k * 10 - performance.now()
    if (wait > 0) await sleep(wait)
    paced.push(send())
  }
  await waitAll(paced)
  const pacedLat = latencies(paced)
  const pacedRate = paced.length / ((allAt.get(paced.at(-1)!)! - sentAt.get(paced[0]!)!) / 1000)
  process.stderr.write(`paced latency: p90 ${percentile(pacedLat, 90).toFixed(1)} ms, p95 ${percentile(pacedLat, 95).toFixed(1)} ms, p99 ${percentile(pacedLat, 99).toFixed(1)} ms, max ${Math.max(...pacedLat).toFixed(1)} ms\n`)
  fanout.push(`| Workroom (durable) | 100 updates/s | ${percentile(pacedLat, 50).toFixed(1)} ms | ${percentile(pacedLat, 99).toFixed(1)} ms | ${pacedRate.toFixed(0)} | ${MiB(rssOfServer())} |`)

  // bursts of 500
  await sleep(500)
  const runs: Array<{ p50: number; p99: number; rate: number; rss: number }> = []
  for (let run = 0; run < 3; run++) {
    const burst: number[] = []
    const start = performance.now()
    for (let k = 0; k < 500; k++) burst.push(send())
    await waitAll(burst)
    const lat = latencies(burst)
    const end = Math.max(...burst.map((i) => allAt.get(i)!))
    runs.push({ p50: percentile(lat, 50), p99: percentile(lat, 99), rate: 500 / ((end - start) / 1000), rss: rssOfServer() })
    await sleep(500)
  }
  const median = (pick: (r: (typeof runs)[number]) => number) => percentile(runs.map(pick), 50)
  fanout.push(`| Workroom (durable) | burst of 500 (median of 3) | ${median((r) => r.p50).toFixed(0)} ms | ${median((r) => r.p99).toFixed(0)} ms | ${median((r) => r.rate).toFixed(0)} | ${MiB(median((r) => r.rss))} |`)
  writer.destroy()
  for (const r of readers) r.destroy()
}

// (b) memory per loaded document ------------------------------------------------------------
const documents = quick ? 200 : 1000
let memoryRow = ''
if (only.includes('b')) {
  // Start from a settled server: the fan-out document unloads first (30 s after its clients left).
  while ((await stats()).documents > 0) await sleep(1000)
  const before = await stats(true)
  const rssBefore = rssOfServer()
  const clients: Array<ReturnType<typeof client>> = []
  for (let d = 0; d < documents; d += 50) {
    const group = []
    for (let k = d; k < Math.min(documents, d + 50); k++) group.push(client(`bench:mem:${k}`), client(`bench:mem:${k}`))
    await Promise.all(group.map((c) => c.synced))
    clients.push(...group)
  }
  for (let k = 0; k < clients.length; k += 2) {
    const map = clients[k]!.doc.getMap('m')
    clients[k]!.doc.transact(() => {
      for (let key = 0; key < 20; key++) map.set(`key${key}`, `value ${key} of document ${k / 2}`)
    })
  }
  while ((await stats()).committedChanges < before.committedChanges + documents) await sleep(200)
  await sleep(2000)
  const loaded = await stats(true)
  const rssLoaded = rssOfServer()
  process.stderr.write(`memory detail per document: ${JSON.stringify(Object.fromEntries((['heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const).map((k) => [k, `${(((loaded as unknown as Record<string, number>)[k]! - (before as unknown as Record<string, number>)[k]!) / documents / 1024).toFixed(1)} KiB`])))}\n`)
  const started = performance.now()
  for (const c of clients) c.destroy()
  let after = await stats()
  while (after.documents > 0 && performance.now() - started < 45_000) {
    await sleep(1000)
    after = await stats()
  }
  memoryRow = `| Workroom | ${((rssLoaded - rssBefore) / documents / 1024).toFixed(1)} KiB | ${((loaded.heapUsed - before.heapUsed) / documents / 1024).toFixed(1)} KiB | ${after.documents} left ${((performance.now() - started) / 1000).toFixed(0)} s after the last client left (unload delay 30 s) |`
}

// (c) cold load ------------------------------------------------------------------------------
const history = quick ? 2000 : 10_000
let cold = { durations: [0], bytes: 0 }
if (only.includes('c')) {
  await post('/bench/history', { docName: 'bench:history', updates: history })
  cold = (await post('/bench/cold-load', { docName: 'bench:history', times: 40 })) as typeof cold
}

// (d) persisted updates per second ----------------------------------------------------------
// The server's capacity, not the load generator's: the updates are encoded beforehand (one
// Y.Doc per writer, one array push each) and sent as raw y-websocket frames.
let persisted = ''
if (only.includes('d')) {
  const writersCount = 20
  const perWriter = quick ? 500 : 2000
  const frames = Array.from({ length: writersCount }, () => {
    const doc = new Y.Doc()
    const out: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => out.push(updateMessage(update)))
    for (let k = 0; k < perWriter; k++) doc.getArray<number>('a').push([k])
    doc.destroy()
    return out
  })
  const sockets = await Promise.all(
    frames.map(
      (_, k) =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new BearerSocket(`${ws}/api/v1/docs/bench:persist:${k}`)
          socket.once('message', () => resolve(socket)) // the server's SyncStep1: admitted and loaded
          socket.once('error', reject)
        }),
    ),
  )
  const before = await stats()
  const start = performance.now()
  for (let k = 0; k < perWriter; k += 100) {
    for (let w = 0; w < writersCount; w++) for (let j = k; j < Math.min(perWriter, k + 100); j++) sockets[w]!.send(frames[w]![j]!)
    await sleep(0)
  }
  const total = writersCount * perWriter
  let now = await stats()
  while (now.committedChanges < before.committedChanges + total) {
    await sleep(10)
    now = await stats()
  }
  const seconds = (performance.now() - start) / 1000
  persisted = `${(total / seconds).toFixed(0)} client updates/s made durable (${total} updates from ${writersCount} sockets on ${writersCount} documents in ${seconds.toFixed(2)} s; ${now.committedRows - before.committedRows} rows in ${now.commits - before.commits} commits)`
  for (const socket of sockets) socket.close()
}

server.kill('SIGTERM')

const out = [
  `Workroom real-time benchmark, ${new Date().toISOString().slice(0, 10)}, database: ${driver}${quick ? ' (quick run)' : ''}`,
  '',
  '(a) 1 document, 100 readers + 1 writer; time until all 100 have an update',
  '| server | load | p50 | p99 | updates/s reaching all | server RSS |',
  '|---|---|---|---|---|---|',
  ...fanout,
  '| y-websocket reference server (anchor, in memory) | 100 updates/s | 3.0 ms | 5.0 ms | 100 | 71 MiB |',
  '| Hocuspocus 4.7 (anchor, in memory) | 100 updates/s | 3.6 ms | 6.3 ms | 100 | 69 MiB |',
  '| y-websocket reference server (anchor) | burst of 500 | 674 ms | 719 ms | 680 | 125 MiB |',
  '| Hocuspocus 4.7 (anchor, merging) | burst of 500 | 119 ms | 122 ms | 3,908 | 74 MiB |',
  '',
  `(b) memory: ${documents} documents x 2 clients x 20 keys`,
  '| server | RSS per document, clients connected | heap per document | after all disconnect |',
  '|---|---|---|---|',
  memoryRow,
  '| y-websocket reference server (anchor) | 70.8 KiB | 31.9 KiB | never unloads (1,000 left) |',
  '| Hocuspocus 4.7 (anchor) | 104.3 KiB | 48.1 KiB | unloads at once (0 left) |',
  '',
  `(c) cold load of a document with ${history} updates of history (${(cold.bytes / 1024).toFixed(1)} KB encoded), ${cold.durations.length} loads: p50 ${percentile(cold.durations, 50).toFixed(2)} ms, p95 ${percentile(cold.durations, 95).toFixed(2)} ms (target p95 <= 20 ms)`,
  '',
  `(d) persisted: ${persisted} (target >= 20,000/s)`,
]
process.stdout.write(out.join('\n') + '\n')
process.exit(0)
