// What one bench/realtime.ts run measured per server, and the report it prints: a table per
// part, with Workroom's figures over each peer's.
import os from 'node:os'
import type { Kind } from './realtime.servers.js'

export type Fan = { p50: number; p99: number; rate: number; rss: number }
export type Result = {
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
  const name = (r: Result) => (r.kind === 'workroom' ? `${r.label}, ${r.driver}` : r.label)
  return [
    `Real-time benchmark, ${new Date().toISOString()}, Workroom on ${workroom?.driver ?? '-'}${quick ? ' (quick run)' : ''}; load average (1 min) sampled during the run: ${results.map((r) => `${r.kind} ${Math.min(...r.loads).toFixed(1)}-${Math.max(...r.loads).toFixed(1)}`).join('; ')}`,
    '',
    '(a) 1 document, 100 readers + 1 writer; time until all 100 have an update',
    '| server | load | p50 | p99 | updates/s reaching all | server RSS |',
    '|---|---|---|---|---|---|',
    ...results
      .filter((r) => r.paced)
      .map(
        (r) =>
          `| ${name(r)} | 100 updates/s, median of 3 runs | ${ms(r.paced!.p50)} | ${ms(r.paced!.p99)} (runs: ${r.paced!.runs.map((v) => v.toFixed(1)).join(', ')}) | ${r.paced!.rate.toFixed(0)} | ${MiB(r.paced!.rss)} |`,
      ),
    ...results
      .filter((r) => r.burst)
      .map(
        (r) =>
          `| ${name(r)} | burst of 500 (median of 3) | ${ms(r.burst!.p50, 0)} | ${ms(r.burst!.p99, 0)} | ${r.burst!.rate.toFixed(0)} | ${MiB(r.burst!.rss)} |`,
      ),
    ...(workroom?.paced?.server ? [`Workroom ${workroom.paced.server}`] : []),
    ...(probe ? [`Before the runs, ${probe}.`] : []),
    ...(workroom?.paced
      ? [
          `Workroom paced p95 ${ms(workroom.paced.p95)}, max ${ms(workroom.paced.max)}. Ratios (Workroom / peer): paced p50 ${ratios((r) => r.paced?.p50)}; paced p99 ${ratios((r) => r.paced?.p99)}; burst updates/s ${ratios((r) => r.burst?.rate)}; burst p99 ${ratios((r) => r.burst?.p99)}`,
        ]
      : []),
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
    `(d) persisted: Workroom ${workroom?.persisted ?? '-'} (target >= 20,000/s); peers: n/a (they persist nothing; Hocuspocus and the reference server's optional persistence debounce saves by 2-10 s)`,
  ].join('\n')
}
