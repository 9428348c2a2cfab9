// Real-time benchmark: this server (durable: every update committed before it is relayed)
// against the y-websocket reference server (`@y/websocket-server` 0.1.1) and Hocuspocus
// (`@hocuspocus/server` 3.4.4 with `@hocuspocus/provider` 3.4.4), in one run on the same
// machine, each server in its own child process, one after the other, the same load
// generator and workloads (../shared/BENCH-ANCHORS.md). The peers keep everything in memory.
//
//   npx tsx bench/realtime.ts            (PGlite on disk; DATABASE_URL=... for Postgres)
//   npx tsx bench/realtime.ts --quick    (smaller counts, for a smoke run)
//   --servers=workroom,y-websocket,hocuspocus   --only=a,b,c,d
//   BENCH_READERS_PRESENCE=off   readers clear their presence (stock providers have it on and
//                                renew it every 15 s, all 100 within a second or two)
//   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   extra node flags for the servers
//
// (a) fan-out: 1 document, 1 writer + 100 readers, paced 100 updates/s and a burst of 500
// (b) memory per loaded document: 1,000 documents x 2 clients x 20 keys; documents left
//     30 s after the last client left
// (c) cold load of a document with 10,000 updates of history
// (d) persisted updates per second (Workroom only: the peers persist nothing)
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { HocuspocusProvider } from '@hocuspocus/provider'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { updateMessage } from '../server/realtime/protocol.js'
import { typeStep } from './typing.js'

// Each stock y-websocket provider adds a process 'exit' listener; 2,000 of them are expected here.
process.setMaxListeners(0)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const quick = process.argv.includes('--quick')
/** `--only=a,b`: run some parts only (a fan-out, b memory, c cold load, d persisted). */
const only = (process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? 'a,b,c,d').split(',')
type Kind = 'workroom' | 'y-websocket' | 'hocuspocus'
const kinds = (process.argv.find((a) => a.startsWith('--servers='))?.slice(10) ?? 'workroom,y-websocket,hocuspocus').split(',') as Kind[]

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const MiB = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const load = () => os.loadavg()[0]!
const history = quick ? 2000 : 10_000

type Summary = { count?: number; p50: number; p99: number; max: number }
type Stats = {
  rss: number
  heapUsed: number
  /** Off the V8 heap: Buffers, and PGlite's WebAssembly memory. */
  external?: number
  documents: number
  connections: number
  committedChanges: number
  committedRows: number
  commits: number
  /** Workroom only: engine histograms and the event loop's delay. */
  latency?: { commit: Summary; update: Summary }
  loopDelay?: Summary
}
type Fan = { p50: number; p99: number; rate: number; rss: number }
type Result = {
  kind: Kind
  label: string
  driver: string
  /** Medians of 3 runs; `runs`: each run's p99. */
  paced?: Fan & { p95: number; max: number; runs: number[]; server?: string }
  burst?: Fan
  memory?: { rssPerDoc: number; heapPerDoc: number; externalPerDoc: number; left: number; seconds: number }
  coldServer?: { p50: number; p95: number; bytes: number; count: number }
  coldClient?: { p50: number; p95: number; bytes: number; count: number }
  persisted?: string
  loads: number[]
}

const scripts: Record<Kind, { script: string; label: string }> = {
  workroom: { script: 'bench/realtime-server.ts', label: 'Workroom (durable)' },
  'y-websocket': { script: 'bench/realtime-peers/y-websocket.ts', label: 'y-websocket reference server 0.1.1 (in memory)' },
  hocuspocus: { script: 'bench/realtime-peers/hocuspocus.ts', label: 'Hocuspocus 3.4.4 (in memory)' },
}

/** A client the same for every server: a Y.Doc, its awareness, synced, destroy. */
type Client = { doc: Y.Doc; awareness: Awareness | null; synced: Promise<void>; destroy(): void }

async function bench(kind: Kind, only: string[]): Promise<Result> {
  const result: Result = { kind, label: scripts[kind].label, driver: '', loads: [load()] }
  const server: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ') ?? []), '--expose-gc', '--import', 'tsx', scripts[kind].script], {
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
    server.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)))
  })
  const startedAt = performance.now()
  result.driver = driver!
  await sleep(1000) // let start-up work settle
  const ws = base!.replace('http', 'ws')
  const rssOfServer = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) * 1024
  const stats = async (gc = false, reset = false) => (await (await fetch(`${base}/bench/stats?${gc ? 'gc=1&' : ''}${reset ? 'reset=1' : ''}`)).json()) as Stats
  const post = async (url: string, body: unknown) => (await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()
  /** Workroom authenticates with a bearer header (a Node client; browsers use tickets or the cookie). */
  class BearerSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { authorization: `Bearer ${token}` } })
    }
  }
  /** A stock y-websocket provider (Workroom, the reference server) or Hocuspocus's own provider. */
  function client(docName: string): Client {
    const doc = new Y.Doc()
    if (kind === 'hocuspocus') {
      // Its provider passes the whole configuration on to the socket it manages (Node 20 has no global WebSocket).
      const provider = new HocuspocusProvider({ url: ws, name: docName, document: doc, WebSocketPolyfill: WebSocket } as unknown as ConstructorParameters<typeof HocuspocusProvider>[0])
      const synced = new Promise<void>((resolve) => {
        const done = () => {
          provider.off('synced', done)
          resolve()
        }
        provider.on('synced', done)
      })
      return {
        doc,
        awareness: provider.awareness,
        synced,
        destroy() {
          provider.destroy()
          doc.destroy()
        },
      }
    }
    const provider = new WebsocketProvider(`${ws}/api/v1/docs`, docName, doc, { WebSocketPolyfill: (kind === 'workroom' ? BearerSocket : WebSocket) as unknown as typeof globalThis.WebSocket, disableBc: true })
    const synced = new Promise<void>((resolve) => provider.once('sync', () => resolve()))
    return {
      doc,
      awareness: provider.awareness,
      synced,
      destroy() {
        provider.destroy()
        provider.awareness.destroy()
        doc.destroy()
      },
    }
  }

  // (a) fan-out ----------------------------------------------------------------------------
  if (only.includes('a')) {
    const docName = 'bench:fanout'
    const writer = client(docName)
    await writer.synced
    const readers = Array.from({ length: 100 }, () => client(docName))
    await Promise.all(readers.map((r) => r.synced))
    if (process.env.BENCH_READERS_PRESENCE === 'off') for (const r of readers) r.awareness?.setLocalState(null)
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

    // paced: 100 updates/s, 3 runs of 15 s (the peers' anchors are medians of 3 runs)
    const pacedCount = quick ? 300 : 1500
    const pacedRuns: Array<Fan & { p95: number; max: number }> = []
    const serverSide: string[] = []
    await stats() // the first fetch loads undici: not inside a measured run
    for (let run = 0; run < 3; run++) {
      const paced: number[] = []
      if (kind === 'workroom') await stats(false, true)
      await sleep(200)
      const pacedStart = performance.now()
      for (let k = 0; k < pacedCount; k++) {
        const wait = pacedStart + k * 10 - performance.now()
        if (wait > 0) await sleep(wait)
        paced.push(send())
      }
      await waitAll(paced)
      const lat = latencies(paced)
      const rate = paced.length / ((allAt.get(paced.at(-1)!)! - sentAt.get(paced[0]!)!) / 1000)
      pacedRuns.push({ p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), max: Math.max(...lat), rate, rss: rssOfServer() })
      if (kind === 'workroom') {
        const { latency, loopDelay } = await stats()
        const f = (s: Summary) => `p50 ${s.p50.toFixed(2)}, p99 ${s.p99.toFixed(2)}, max ${s.max.toFixed(1)} ms`
        if (latency && loopDelay) serverSide.push(`run ${run + 1}: arrival to sent to all ${f(latency.update)}; commit ${f(latency.commit)} (${latency.commit.count} commits); event loop delay ${f(loopDelay)}`)
      }
    }
    const median = (pick: (r: Fan & { p95: number; max: number }) => number) => percentile(pacedRuns.map(pick), 50)
    result.paced = {
      p50: median((r) => r.p50),
      p95: median((r) => r.p95),
      p99: median((r) => r.p99),
      max: median((r) => r.max),
      rate: median((r) => r.rate),
      rss: median((r) => r.rss),
      runs: pacedRuns.map((r) => r.p99),
      server: serverSide.length > 0 ? `server side, per paced run: ${serverSide.join('; ')}` : undefined,
    }
    result.loads.push(load())

    // bursts of 500
    await sleep(500)
    const runs: Fan[] = []
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
    const medianOf = (pick: (r: Fan) => number) => percentile(runs.map(pick), 50)
    result.burst = { p50: medianOf((r) => r.p50), p99: medianOf((r) => r.p99), rate: medianOf((r) => r.rate), rss: medianOf((r) => r.rss) }
    writer.destroy()
    for (const r of readers) r.destroy()
    process.stderr.write(`${kind}: fan-out done (paced p99 ${result.paced.p99.toFixed(1)} ms, burst ${result.burst.rate.toFixed(0)}/s)\n`)
  }

  // (b) memory per loaded document ----------------------------------------------------------
  const documents = quick ? 200 : 1000
  if (only.includes('b')) {
    /** `documents` documents named `<prefix><k>`, 2 clients each, 20 keys written by one and received by the other. */
    const round = async (prefix: string) => {
      const committedBefore = (await stats()).committedChanges
      const clients: Client[] = []
      for (let d = 0; d < documents; d += 50) {
        const group: Client[] = []
        for (let k = d; k < Math.min(documents, d + 50); k++) group.push(client(`${prefix}${k}`), client(`${prefix}${k}`))
        await Promise.all(group.map((c) => c.synced))
        clients.push(...group)
      }
      for (let k = 0; k < clients.length; k += 2) {
        const map = clients[k]!.doc.getMap('m')
        clients[k]!.doc.transact(() => {
          for (let key = 0; key < 20; key++) map.set(`key${key}`, `value ${key} of document ${k / 2}`)
        })
      }
      // Every second client has its partner's 20 keys (and, on Workroom, they are committed).
      while (!clients.every((c, k) => k % 2 === 0 || c.doc.getMap('m').size === 20)) await sleep(100)
      if (kind === 'workroom') while ((await stats()).committedChanges < committedBefore + documents) await sleep(200)
      return clients
    }
    // A process gives start-up memory back to the OS over its first half minute (V8 shrinks
    // what start-up left committed; with PGlite, 80-250 MiB). Every server gets the same
    // settling before its baseline: at least 40 s after it started, then RSS steady (within
    // 2 MiB, a full GC each second) for 10 s in a row.
    for (let steady = 0, previous = 0; steady < 10 || performance.now() - startedAt < 40_000; ) {
      await stats(true)
      const rss = rssOfServer()
      steady = Math.abs(rss - previous) < 2 * 1024 * 1024 ? steady + 1 : 0
      previous = rss
      await sleep(1000)
    }
    const before = await stats(true)
    const rssBefore = rssOfServer()
    const clients = await round('bench:mem:')
    await sleep(2000)
    const loaded = await stats(true)
    const rssLoaded = rssOfServer()
    result.loads.push(load())
    const started = performance.now()
    for (const c of clients) c.destroy()
    let after = await stats()
    while (after.documents > 0 && performance.now() - started < 45_000) {
      await sleep(1000)
      after = await stats()
    }
    const settledBefore = before.documents
    result.memory = { rssPerDoc: (rssLoaded - rssBefore) / documents, heapPerDoc: (loaded.heapUsed - before.heapUsed) / documents, externalPerDoc: ((loaded.external ?? 0) - (before.external ?? 0)) / documents, left: after.documents - settledBefore, seconds: (performance.now() - started) / 1000 }
    process.stderr.write(`${kind}: memory done (${(result.memory.rssPerDoc / 1024).toFixed(1)} KiB RSS per document, ${result.memory.left} left)\n`)
  }

  // (c) cold load ----------------------------------------------------------------------------
  // Workroom: the server-side load (unloaded, then read: snapshot + log from the database).
  // All three: a fresh client's time from opening its socket to synced, on a document that
  // is not loaded. The peers keep nothing, so for this part only each gets what its own
  // persistence does (the reference server's writeState/bindState, Hocuspocus's
  // onStoreDocument/onLoadDocument as its Database extension uses them), in a Map: the
  // encoded state stored when the last client leaves, applied when the document loads.
  if (only.includes('c')) {
    const docName = 'bench:history'
    let expected = 0
    let bytes = 0
    if (kind === 'workroom') {
      await post('/bench/history', { docName, updates: history })
      const cold = (await post('/bench/cold-load', { docName, times: 40 })) as { durations: number[]; bytes: number }
      result.coldServer = { p50: percentile(cold.durations, 50), p95: percentile(cold.durations, 95), bytes: cold.bytes, count: cold.durations.length }
      bytes = cold.bytes
      expected = -1
    } else {
      await fetch(`${base}/bench/store?on=1`)
      // The same typing as bench/realtime-server.ts's /bench/history, one client transaction (one update) each.
      const writer = client(docName)
      await writer.synced
      const text = writer.doc.getText('t')
      let cursor = 0
      for (let i = 0; i < history; i++) {
        writer.doc.transact(() => {
          cursor = typeStep(writer.doc, i, cursor)
        })
        if (i % 500 === 499) await sleep(0)
      }
      expected = text.length
      bytes = Y.encodeStateAsUpdate(writer.doc).length
      const check = client(docName)
      await check.synced
      while (check.doc.getText('t').length !== expected) await sleep(50)
      check.destroy()
      writer.destroy()
    }
    const durations: number[] = []
    const trials = quick ? 10 : 40
    for (let i = 0; i < trials; i++) {
      // Not loaded: Workroom unloads on request (its grace period is 30 s); the peers unload
      // (after storing) when the last client leaves.
      while ((await stats()).connections > 0) await sleep(10)
      if (kind === 'workroom') await post('/bench/cold-load', { docName, times: 1 })
      else while (((await (await fetch(`${base}/bench/stats?doc=${docName}`)).json()) as { loaded: boolean }).loaded) await sleep(10)
      const started = performance.now()
      const c = client(docName)
      await c.synced
      durations.push(performance.now() - started)
      const length = c.doc.getText('t').length
      if (length === 0 || (expected >= 0 && length !== expected)) throw new Error(`${kind}: cold load gave ${length} characters, expected ${expected}`)
      c.destroy()
    }
    result.coldClient = { p50: percentile(durations, 50), p95: percentile(durations, 95), bytes, count: durations.length }
    if (kind !== 'workroom') await fetch(`${base}/bench/store?on=0`)
    process.stderr.write(`${kind}: cold load done (client p95 ${result.coldClient.p95.toFixed(1)} ms)\n`)
  }

  // (d) persisted updates per second --------------------------------------------------------
  // The server's capacity, not the load generator's: the updates are encoded beforehand (one
  // Y.Doc per writer, one array push each) and sent as raw y-websocket frames.
  if (only.includes('d') && kind === 'workroom') {
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
    result.persisted = `${(total / seconds).toFixed(0)} client updates/s made durable (${total} updates from ${writersCount} sockets on ${writersCount} documents in ${seconds.toFixed(2)} s; ${now.committedRows - before.committedRows} rows in ${now.commits - before.commits} commits)`
    for (const socket of sockets) socket.close()
  }

  result.loads.push(load())
  server.kill('SIGTERM')
  await new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve)))
  return result
}

/**
 * The disk's own commit latency, measured before the servers run: what any server that
 * waits for fsync (Workroom on Postgres) cannot beat. 2,000 fdatasync calls of an 8 KiB
 * write, 5 ms apart, in the temporary directory (where PGlite's data goes).
 */
async function fsyncProbe(): Promise<string> {
  const { openSync, writeSync, fdatasyncSync, closeSync, unlinkSync } = await import('node:fs')
  const file = path.join(os.tmpdir(), `workroom-fsync-probe-${process.pid}`)
  const fd = openSync(file, 'w')
  const page = Buffer.alloc(8192, 1)
  const times: number[] = []
  try {
    for (let i = 0; i < 2000; i++) {
      const started = performance.now()
      writeSync(fd, page, 0, page.length, (i % 100) * page.length)
      fdatasyncSync(fd)
      times.push(performance.now() - started)
      await sleep(5)
    }
  } finally {
    closeSync(fd)
    unlinkSync(file)
  }
  const slow = times.filter((t) => t > 10).length
  return `disk fsync probe (2,000 fdatasync of 8 KiB, 5 ms apart, ${os.tmpdir()}): p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms, max ${Math.max(...times).toFixed(1)} ms, ${slow} over 10 ms`
}
const probe = kinds.includes('workroom') && only.includes('a') ? await fsyncProbe() : null

// A fresh server process per server and part (so one part's garbage does not move the next
// part's RSS baseline), the servers interleaved part by part so they see similar machine load.
const results: Result[] = kinds.map((kind) => ({ kind, label: scripts[kind].label, driver: '', loads: [] }))
for (const part of only) {
  for (const result of results) {
    if (part === 'd' && result.kind !== 'workroom') continue
    const { loads, ...rest } = await bench(result.kind, [part])
    Object.assign(result, rest)
    result.loads.push(...loads)
  }
}

// Report ---------------------------------------------------------------------------------------
const workroom = results.find((r) => r.kind === 'workroom')
const peers = results.filter((r) => r.kind !== 'workroom')
const ms = (n: number | undefined, digits = 1) => (n === undefined ? '-' : `${n.toFixed(digits)} ms`)
const KiB = (n: number | undefined) => (n === undefined ? '-' : `${(n / 1024).toFixed(1)} KiB`)
/** Workroom's figure over the peer's ("x0.50" = half the peer's). */
const ratio = (mine: number | undefined, theirs: number | undefined) => (mine === undefined || theirs === undefined || theirs === 0 ? '-' : `x${(mine / theirs).toFixed(2)}`)
const ratios = (pick: (r: Result) => number | undefined) => peers.map((p) => `${ratio(workroom && pick(workroom), pick(p))} vs ${p.kind}`).join(', ')
const name = (r: Result) => (r.kind === 'workroom' ? `${r.label}, ${r.driver}` : r.label)

const out = [
  `Real-time benchmark, ${new Date().toISOString()}, Workroom on ${workroom?.driver ?? '-'}${quick ? ' (quick run)' : ''}; load average (1 min) sampled during the run: ${results.map((r) => `${r.kind} ${Math.min(...r.loads).toFixed(1)}-${Math.max(...r.loads).toFixed(1)}`).join('; ')}`,
  '',
  '(a) 1 document, 100 readers + 1 writer; time until all 100 have an update',
  '| server | load | p50 | p99 | updates/s reaching all | server RSS |',
  '|---|---|---|---|---|---|',
  ...results.filter((r) => r.paced).map((r) => `| ${name(r)} | 100 updates/s, median of 3 runs | ${ms(r.paced!.p50)} | ${ms(r.paced!.p99)} (runs: ${r.paced!.runs.map((v) => v.toFixed(1)).join(', ')}) | ${r.paced!.rate.toFixed(0)} | ${MiB(r.paced!.rss)} |`),
  ...results.filter((r) => r.burst).map((r) => `| ${name(r)} | burst of 500 (median of 3) | ${ms(r.burst!.p50, 0)} | ${ms(r.burst!.p99, 0)} | ${r.burst!.rate.toFixed(0)} | ${MiB(r.burst!.rss)} |`),
  ...(workroom?.paced?.server ? [`Workroom ${workroom.paced.server}`] : []),
  ...(probe ? [`Before the runs, ${probe}.`] : []),
  ...(workroom?.paced ? [`Workroom paced p95 ${ms(workroom.paced.p95)}, max ${ms(workroom.paced.max)}. Ratios (Workroom / peer): paced p50 ${ratios((r) => r.paced?.p50)}; paced p99 ${ratios((r) => r.paced?.p99)}; burst updates/s ${ratios((r) => r.burst?.rate)}; burst p99 ${ratios((r) => r.burst?.p99)}`] : []),
  '',
  `(b) memory: ${quick ? 200 : 1000} documents x 2 clients x 20 keys`,
  '| server | RSS per document, clients connected | heap per document | after all disconnect |',
  '|---|---|---|---|',
  ...results.filter((r) => r.memory).map((r) => `| ${name(r)} | ${KiB(r.memory!.rssPerDoc)} | ${KiB(r.memory!.heapPerDoc)} (external ${KiB(r.memory!.externalPerDoc)}) | ${r.memory!.left} left ${r.memory!.seconds.toFixed(0)} s after the last client left |`),
  ...(workroom?.memory ? [`Ratios (Workroom / peer): RSS per document ${ratios((r) => r.memory?.rssPerDoc)}; heap per document ${ratios((r) => r.memory?.heapPerDoc)}`] : []),
  '',
  `(c) cold load of a document with ${history} updates of typing history; a fresh client's time from opening its socket to synced, document not loaded`,
  '| server | stored as | encoded size | loads | p50 | p95 |',
  '|---|---|---|---|---|---|',
  ...results.filter((r) => r.coldClient).map((r) => `| ${name(r)} | ${r.kind === 'workroom' ? 'snapshot + update log in the database' : 'one encoded state in a Map (its persistence hooks)'} | ${(r.coldClient!.bytes / 1024).toFixed(1)} KB | ${r.coldClient!.count} | ${ms(r.coldClient!.p50, 2)} | ${ms(r.coldClient!.p95, 2)} |`),
  ...(workroom?.coldServer ? [`Workroom server-side load (unload, then read), ${workroom.coldServer.count} loads: p50 ${ms(workroom.coldServer.p50, 2)}, p95 ${ms(workroom.coldServer.p95, 2)} (target p95 <= 20 ms). Client-side p95 ratios (Workroom / peer): ${ratios((r) => r.coldClient?.p95)}`] : []),
  '',
  `(d) persisted: Workroom ${workroom?.persisted ?? '-'} (target >= 20,000/s); peers: n/a (they persist nothing; Hocuspocus and the reference server's optional persistence debounce saves by 2-10 s)`,
]
process.stdout.write(out.join('\n') + '\n')
process.exit(0)
