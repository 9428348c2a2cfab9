// The four parts of bench/realtime.ts, each run against one server in a fresh process.
import { setTimeout as sleep } from 'node:timers/promises'
import type { WebSocket } from 'ws'
import * as Y from 'yjs'
import { updateMessage } from '../server/realtime/protocol.js'
import type { Client } from './realtime.clients.js'
import { loadAverage, percentile, type Fan, type Result } from './realtime.report.js'
import type { BenchServer, Kind, Summary } from './realtime.servers.js'
import { typeStep } from './typing.js'

/** One server's run: its process, clients for it, and the result each part fills in. */
export interface Run {
  kind: Kind
  quick: boolean
  /** Updates of typing history in part (c). */
  history: number
  server: BenchServer
  client(docName: string, ticket?: string): Client
  /** A raw socket that Workroom admits (part (d) sends prepared frames). */
  BearerSocket: new (url: string) => WebSocket
  result: Result
}

/** (a) fan-out: 1 document, 1 writer + `readerCount` readers, paced 100 updates/s (3 runs) and bursts of 500. */
export async function fanOut(run: Run, readerCount = 100): Promise<void> {
  const { kind, quick, client, result } = run
  const { stats, rss: rssOfServer } = run.server
  const docName = `bench:fanout:${readerCount}`
  const writer = client(docName)
  await writer.synced
  const readers = Array.from({ length: readerCount }, () => client(docName))
  await Promise.all(readers.map((r) => r.synced))
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
    pacedRuns.push({
      p50: percentile(lat, 50),
      p95: percentile(lat, 95),
      p99: percentile(lat, 99),
      max: Math.max(...lat),
      rate,
      rss: rssOfServer(),
    })
    if (kind === 'workroom') {
      const { latency, loopDelay } = await stats()
      const f = (s: Summary) => `p50 ${s.p50.toFixed(2)}, p99 ${s.p99.toFixed(2)}, max ${s.max.toFixed(1)} ms`
      if (latency && loopDelay)
        serverSide.push(
          `run ${run + 1}: arrival to sent to all ${f(latency.update)}; commit ${f(latency.commit)} (${latency.commit.count} commits); event loop delay ${f(loopDelay)}`,
        )
    }
  }
  const median = (pick: (r: Fan & { p95: number; max: number }) => number) => percentile(pacedRuns.map(pick), 50)
  const paced = {
    p50: median((r) => r.p50),
    p95: median((r) => r.p95),
    p99: median((r) => r.p99),
    max: median((r) => r.max),
    rate: median((r) => r.rate),
    rss: median((r) => r.rss),
    runs: pacedRuns.map((r) => r.p99),
    server: serverSide.length > 0 ? `server side, per paced run: ${serverSide.join('; ')}` : undefined,
  }
  result.loads.push(loadAverage())

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
    runs.push({
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      rate: 500 / ((end - start) / 1000),
      rss: rssOfServer(),
    })
    await sleep(500)
  }
  const medianOf = (pick: (r: Fan) => number) => percentile(runs.map(pick), 50)
  const burst = {
    p50: medianOf((r) => r.p50),
    p99: medianOf((r) => r.p99),
    rate: medianOf((r) => r.rate),
    rss: medianOf((r) => r.rss),
  }
  ;(result.fans ??= []).push({ readers: readerCount, paced, burst })
  writer.destroy()
  for (const r of readers) r.destroy()
  for (const until = performance.now() + 10_000; (await stats()).connections > 0 && performance.now() < until;)
    await sleep(50)
  process.stderr.write(
    `${kind}: fan-out with ${readerCount} readers done (paced p99 ${paced.p99.toFixed(1)} ms, burst ${burst.rate.toFixed(0)}/s)\n`,
  )
}

/**
 * (b) memory per loaded document: 1,000 documents x 2 clients x 20 keys (200 in a quick run),
 * then how many are left in memory once the clients left (waiting up to 45 s).
 */
export async function memoryPerDocument(run: Run): Promise<void> {
  const { kind, quick, client, result } = run
  const { stats, rss: rssOfServer, startedAt } = run.server
  const documents = quick ? 200 : 1000
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
  for (let steady = 0, previous = 0; steady < 10 || performance.now() - startedAt < 40_000;) {
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
  result.loads.push(loadAverage())
  const started = performance.now()
  for (const c of clients) c.destroy()
  let after = await stats()
  while (after.documents > 0 && performance.now() - started < 45_000) {
    await sleep(1000)
    after = await stats()
  }
  const settledBefore = before.documents
  result.memory = {
    rssPerDoc: (rssLoaded - rssBefore) / documents,
    heapPerDoc: (loaded.heapUsed - before.heapUsed) / documents,
    externalPerDoc: ((loaded.external ?? 0) - (before.external ?? 0)) / documents,
    left: after.documents - settledBefore,
    seconds: (performance.now() - started) / 1000,
  }
  process.stderr.write(
    `${kind}: memory done (${(result.memory.rssPerDoc / 1024).toFixed(1)} KiB RSS per document, ${result.memory.left} left)\n`,
  )
}

/**
 * (c) cold load of a document with `history` updates of typing. Workroom: the server-side
 * load (unloaded, then read: snapshot + log from the database). All three: a fresh client's
 * time from opening its socket to synced, on a document that is not loaded. The peers keep
 * nothing, so for this part only each gets what its own persistence does (the reference
 * server's writeState/bindState, Hocuspocus's onStoreDocument/onLoadDocument as its Database
 * extension uses them), in a Map: the encoded state stored when the last client leaves,
 * applied when the document loads.
 */
export async function coldLoad(run: Run): Promise<void> {
  const { kind, quick, history, client, result } = run
  const { base, stats, post } = run.server
  const docName = 'bench:history'
  let expected: number
  let bytes: number
  if (kind === 'workroom') {
    await post('/bench/history', { docName, updates: history })
    const cold = (await post('/bench/cold-load', { docName, times: 40 })) as { durations: number[]; bytes: number }
    result.coldServer = {
      p50: percentile(cold.durations, 50),
      p95: percentile(cold.durations, 95),
      bytes: cold.bytes,
      count: cold.durations.length,
    }
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
    else
      while (((await (await fetch(`${base}/bench/stats?doc=${docName}`)).json()) as { loaded: boolean }).loaded)
        await sleep(10)
    const started = performance.now()
    const c = client(docName)
    await c.synced
    durations.push(performance.now() - started)
    const length = c.doc.getText('t').length
    if (length === 0 || (expected >= 0 && length !== expected))
      throw new Error(`${kind}: cold load gave ${length} characters, expected ${expected}`)
    c.destroy()
  }
  result.coldClient = { p50: percentile(durations, 50), p95: percentile(durations, 95), bytes, count: durations.length }
  if (kind !== 'workroom') await fetch(`${base}/bench/store?on=0`)
  process.stderr.write(`${kind}: cold load done (client p95 ${result.coldClient.p95.toFixed(1)} ms)\n`)
}

/**
 * (d) persisted updates per second (Workroom only: the peers persist nothing). The server's
 * capacity, not the load generator's: the updates are encoded beforehand (one Y.Doc per
 * writer, one array push each) and sent as raw y-websocket frames.
 */
export async function persisted(run: Run): Promise<void> {
  const { quick, BearerSocket, result } = run
  const { ws, stats } = run.server
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
    for (let w = 0; w < writersCount; w++)
      for (let j = k; j < Math.min(perWriter, k + 100); j++) sockets[w]!.send(frames[w]![j]!)
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
