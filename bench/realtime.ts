// Real-time benchmark: this server (durable: every update committed before it is relayed)
// against the y-websocket reference server (`@y/websocket-server` 0.1.1) and Hocuspocus
// (`@hocuspocus/server` 3.4.4 with `@hocuspocus/provider` 3.4.4), in one run on the same
// machine, each server in its own child process, one after the other, the same load
// generator and workloads (../shared/BENCH-ANCHORS.md). The peers keep everything in memory.
//
//   npx tsx bench/realtime.ts            (PGlite on disk; DATABASE_URL=... for Postgres)
//   npx tsx bench/realtime.ts --quick    (smaller counts, for a smoke run)
//   --servers=workroom,y-websocket,hocuspocus   --only=a,b,c,d,e   --readers=100,300 (part a)
//   BENCH_READERS_PRESENCE=off   readers clear their presence (stock providers have it on and
//                                renew it every 15 s, all 100 within a second or two)
//   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   extra node flags for the servers
//
// (a) fan-out: 1 document, 1 writer + 100 readers, paced 100 updates/s and a burst of 500
// (b) memory per loaded document: 1,000 documents x 2 clients x 20 keys; documents left
//     30 s after the last client left
// (c) cold load of a document with 10,000 updates of history
// (d) persisted updates per second (Workroom only: the peers persist nothing)
// (e) connecting: one client's handshake; 101 clients at once on one document; 2,000
//     documents x 2 clients at once (Workroom's clients fetch a ticket each, as browsers do)
//
// The server processes: realtime.servers.ts; the clients: realtime.clients.ts; the parts:
// realtime.workloads.ts and realtime.connect.ts; the printed report: realtime.report.ts.
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createClients } from './realtime.clients.js'
import { connecting } from './realtime.connect.js'
import { formatReport, loadAverage, percentile, type Result } from './realtime.report.js'
import { servers, startServer, type Kind } from './realtime.servers.js'
import { coldLoad, fanOut, memoryPerDocument, persisted } from './realtime.workloads.js'

// Each stock y-websocket provider adds a process 'exit' listener; 2,000 of them are expected here.
process.setMaxListeners(0)
const quick = process.argv.includes('--quick')
/** `--only=a,b`: run some parts only (a fan-out, b memory, c cold load, d persisted, e connecting). */
const only = (process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? 'a,b,c,d,e').split(',')
/** `--readers=100,300`: part (a) once per reader count. */
const readerCounts = (process.argv.find((a) => a.startsWith('--readers='))?.slice(10) ?? '100,300')
  .split(',')
  .map(Number)
const kinds = (
  process.argv.find((a) => a.startsWith('--servers='))?.slice(10) ?? 'workroom,y-websocket,hocuspocus'
).split(',') as Kind[]
const history = quick ? 2000 : 10_000

async function bench(kind: Kind, only: string[]): Promise<Result> {
  const result: Result = { kind, label: servers[kind].label, driver: '', loads: [loadAverage()] }
  const server = await startServer(kind)
  result.driver = server.driver
  const run = { kind, quick, history, server, result, ...createClients(kind, server.ws, server.token) }
  if (only.includes('a')) for (const readers of readerCounts) await fanOut(run, readers)
  if (only.includes('b')) await memoryPerDocument(run)
  if (only.includes('c')) await coldLoad(run)
  if (only.includes('d') && kind === 'workroom') await persisted(run)
  if (only.includes('e')) await connecting(run)
  result.loads.push(loadAverage())
  await server.stop()
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
const results: Result[] = kinds.map((kind) => ({ kind, label: servers[kind].label, driver: '', loads: [] }))
for (const part of only) {
  for (const result of results) {
    if (part === 'd' && result.kind !== 'workroom') continue
    const { loads, fans, ...rest } = await bench(result.kind, [part])
    Object.assign(result, rest)
    if (fans) result.fans = [...(result.fans ?? []), ...fans]
    result.loads.push(...loads)
  }
}

process.stdout.write(formatReport(results, { quick, history, probe }) + '\n')
process.exit(0)
