// What one bench/realtime.ts run measured per server, and the report it prints: a table per
// part, with Workroom's figures over each peer's.
import os from 'node:os'
import type { Kind } from './realtime.servers.js'

export type Fan = { p50: number; p99: number; rate: number; rss: number }
export type Paced = Fan & { p95: number; max: number; runs: number[]; server?: string }
export type Connect = {
  /** One client at a time (ticket fetched beforehand, not timed): socket opened to synced. */
  handshake: { loaded: number[]; fresh: number[] }
  /** `clients` clients (ticket + connect) at once on one new document: seconds until all synced, per trial. */
  crowd: { clients: number; seconds: number[] }
  /** `documents` new documents x 2 clients (ticket + connect), all at once: seconds until all synced. */
  many: { documents: number; seconds: number[] }
  /** Workroom: sockets refused (4401) and opened again with a new ticket. */
  retries: number
}
export type Result = {
  kind: Kind
  label: string
  driver: string
  /** Part (a), once per reader count: paced medians of 3 runs (`runs`: each run's p99), bursts of 500. */
  fans?: Array<{ readers: number; paced: Paced; burst: Fan }>
  /** Part (e): connecting, tickets included for Workroom (realtime.connect.ts). */
  connect?: Connect
  memory?: { rssPerDoc: number; heapPerDoc: number; externalPerDoc: number; left: number; seconds: number }
  coldServer?: { p50: number; p95: number; bytes: number; count: number }
  coldClient?: { p50: number; p95: number; bytes: number; count: number }
  persisted?: string
  /** The 1-minute load average, sampled between parts (a busy machine skews every figure). */
  loads: number[]
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
export const loadAverage = () => os.loadavg()[0]!

const MiB = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`
const ms = (n: number | undefined, digits = 1) => (n === undefined ? '-' : `${n.toFixed(digits)} ms`)
const KiB = (n: number | undefined) => (n === undefined ? '-' : `${(n / 1024).toFixed(1)} KiB`)
/** Workroom's figure over the peer's ("x0.50" = half the peer's). */
const ratio = (mine: number | undefined, theirs: number | undefined) =>
  mine === undefined || theirs === undefined || theirs === 0 ? '-' : `x${(mine / theirs).toFixed(2)}`

const name = (r: Result) => (r.kind === 'workroom' ? `${r.label}, ${r.driver}` : r.label)

/** Workroom's figure over the best peer's (the lowest, or with `higher` the highest), naming it. */
function overBest(results: Result[], pick: (r: Result) => number | undefined, higher = false): string {
  const mine = results.find((r) => r.kind === 'workroom')
  const peers = results.filter((r) => r.kind !== 'workroom' && pick(r) !== undefined)
  if (!mine || pick(mine) === undefined || peers.length === 0) return '-'
  const best = peers.reduce((a, b) => ((higher ? pick(b)! > pick(a)! : pick(b)! < pick(a)!) ? b : a))
  return `${ratio(pick(mine), pick(best))} vs the best peer (${best.kind})`
}

/** Part (a), one table per reader count. */
function fanSection(results: Result[], probe: string | null): string[] {
  const counts = [...new Set(results.flatMap((r) => (r.fans ?? []).map((f) => f.readers)))]
  const workroom = results.find((r) => r.kind === 'workroom')
  const lines: string[] = []
  for (const readers of counts) {
    const fan = (r: Result) => r.fans?.find((f) => f.readers === readers)
    const mine = workroom && fan(workroom)
    lines.push(
      `(a) 1 document, ${readers} readers + 1 writer; time until all ${readers} have an update`,
      '| server | load | p50 | p99 | updates/s reaching all | server RSS |',
      '|---|---|---|---|---|---|',
      ...results.flatMap((r) => {
        const f = fan(r)
        if (!f) return []
        return [
          `| ${name(r)} | 100 updates/s, median of 3 runs | ${ms(f.paced.p50)} | ${ms(f.paced.p99)} (runs: ${f.paced.runs.map((v) => v.toFixed(1)).join(', ')}) | ${f.paced.rate.toFixed(0)} | ${MiB(f.paced.rss)} |`,
          `| ${name(r)} | burst of 500 (median of 3) | ${ms(f.burst.p50, 0)} | ${ms(f.burst.p99, 0)} | ${f.burst.rate.toFixed(0)} | ${MiB(f.burst.rss)} |`,
        ]
      }),
      ...(mine?.paced.server ? [`Workroom ${mine.paced.server}`] : []),
      ...(mine
        ? [
            `Workroom paced p95 ${ms(mine.paced.p95)}, max ${ms(mine.paced.max)}. Paced p99 ${overBest(results, (r) => fan(r)?.paced.p99)}; paced p50 ${overBest(results, (r) => fan(r)?.paced.p50)}; burst updates/s ${overBest(results, (r) => fan(r)?.burst.rate, true)}`,
          ]
        : []),
      '',
    )
  }
  if (probe && counts.length > 0) lines.push(`Before the runs, ${probe}.`, '')
  return lines
}

/** Part (e): connecting. */
function connectSection(results: Result[]): string[] {
  const rows = results.filter((r) => r.connect)
  if (rows.length === 0) return []
  const median = (values: number[]) => percentile(values, 50)
  const s = (values: number[]) => `${median(values).toFixed(3)} s (${values.map((v) => v.toFixed(3)).join(', ')})`
  const c = rows[0]!.connect!
  const crowd = (kind: Kind) => {
    const x = results.find((r) => r.kind === kind)?.connect
    return x && median(x.crowd.seconds)
  }
  return [
    `(e) connecting (Workroom: each client fetches a ticket, then opens its socket with it; peers: no ticket)`,
    `| server | handshake p50 / p95, loaded document, ticket in hand | same, new document | ${c.crowd.clients} clients on a new document, all synced | ${c.many.documents} documents x 2 clients, all synced |`,
    '|---|---|---|---|---|',
    ...rows.map((r) => {
      const { handshake, crowd, many } = r.connect!
      return `| ${name(r)} | ${ms(percentile(handshake.loaded, 50))} / ${ms(percentile(handshake.loaded, 95))} | ${ms(percentile(handshake.fresh, 50))} / ${ms(percentile(handshake.fresh, 95))} | ${s(crowd.seconds)} | ${s(many.seconds)} |`
    }),
    `Workroom sockets refused and opened again with a new ticket: ${rows.find((r) => r.kind === 'workroom')?.connect?.retries ?? '-'}. Ratios (Workroom / peer, medians): handshake p50 ${overBest(results, (r) => r.connect && median(r.connect.handshake.loaded))}; ${c.crowd.clients} clients ${overBest(results, (r) => r.connect && median(r.connect.crowd.seconds))}, ${ratio(crowd('workroom'), crowd('y-websocket'))} vs y-websocket; ${c.many.documents} documents ${overBest(results, (r) => r.connect && median(r.connect.many.seconds))}`,
    '',
  ]
}

/** `probe`: the disk's fsync figures measured before the runs (null: not measured). */
export function formatReport(
  results: Result[],
  run: { quick: boolean; history: number; probe: string | null },
): string {
  const { quick, history, probe } = run
  const workroom = results.find((r) => r.kind === 'workroom')
  const peers = results.filter((r) => r.kind !== 'workroom')
  const ratios = (pick: (r: Result) => number | undefined) =>
    peers.map((p) => `${ratio(workroom && pick(workroom), pick(p))} vs ${p.kind}`).join(', ')
  return [
    `Real-time benchmark, ${new Date().toISOString()}, Workroom on ${workroom?.driver ?? '-'}${quick ? ' (quick run)' : ''}; load average (1 min) sampled during the run: ${results.map((r) => `${r.kind} ${Math.min(...r.loads).toFixed(1)}-${Math.max(...r.loads).toFixed(1)}`).join('; ')}`,
    '',
    ...fanSection(results, probe),
    '',
    `(b) memory: ${quick ? 200 : 1000} documents x 2 clients x 20 keys`,
    '| server | RSS per document, clients connected | heap per document | after all disconnect |',
    '|---|---|---|---|',
    ...results
      .filter((r) => r.memory)
      .map(
        (r) =>
          `| ${name(r)} | ${KiB(r.memory!.rssPerDoc)} | ${KiB(r.memory!.heapPerDoc)} (external ${KiB(r.memory!.externalPerDoc)}) | ${r.memory!.left} left ${r.memory!.seconds.toFixed(0)} s after the last client left |`,
      ),
    ...(workroom?.memory
      ? [
          `Ratios (Workroom / peer): RSS per document ${ratios((r) => r.memory?.rssPerDoc)}; heap per document ${ratios((r) => r.memory?.heapPerDoc)}`,
        ]
      : []),
    '',
    `(c) cold load of a document with ${history} updates of typing history; a fresh client's time from opening its socket to synced, document not loaded`,
    '| server | stored as | encoded size | loads | p50 | p95 |',
    '|---|---|---|---|---|---|',
    ...results
      .filter((r) => r.coldClient)
      .map(
        (r) =>
          `| ${name(r)} | ${r.kind === 'workroom' ? 'snapshot + update log in the database' : 'one encoded state in a Map (its persistence hooks)'} | ${(r.coldClient!.bytes / 1024).toFixed(1)} KB | ${r.coldClient!.count} | ${ms(r.coldClient!.p50, 2)} | ${ms(r.coldClient!.p95, 2)} |`,
      ),
    ...(workroom?.coldServer
      ? [
          `Workroom server-side load (unload, then read), ${workroom.coldServer.count} loads: p50 ${ms(workroom.coldServer.p50, 2)}, p95 ${ms(workroom.coldServer.p95, 2)} (target p95 <= 20 ms). Client-side p95 ratios (Workroom / peer): ${ratios((r) => r.coldClient?.p95)}`,
        ]
      : []),
    '',
    ...connectSection(results),
    `(d) persisted: Workroom ${workroom?.persisted ?? '-'} (target >= 20,000/s); peers: n/a (they persist nothing; Hocuspocus and the reference server's optional persistence debounce saves by 2-10 s)`,
  ].join('\n')
}
