import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'

export interface EngineStats {
  documents: number
  connections: number
  commits: number
  committedRows: number
  /** Client updates and server changes made durable (several may share one row). */
  committedChanges: number
  /** Since start or the last `resetLatency()`, in milliseconds. */
  latency: {
    /** One group commit: the multi-row insert, until the database confirmed it. */
    commit: LatencySummary
    /** A change's wait for the next commit plus that commit, until it was sent to every client. */
    update: LatencySummary
  }
}

export interface LatencySummary {
  count: number
  p50: number
  p99: number
  max: number
}

const summarize = (h: RecordableHistogram): LatencySummary =>
  h.count === 0
    ? { count: 0, p50: 0, p99: 0, max: 0 }
    : { count: h.count, p50: h.percentile(50) / 1000, p99: h.percentile(99) / 1000, max: h.max / 1000 }
/** Records a duration in microseconds (the histogram takes positive integers). */
const recordSince = (h: RecordableHistogram, startedAt: number) =>
  h.record(Math.max(1, Math.round((performance.now() - startedAt) * 1000)))

/** The engine's commit counters and latency histograms (for /metrics and the benchmark). */
export function createEngineMetrics() {
  const counters = { commits: 0, committedRows: 0, committedChanges: 0 }
  const commitLatency = createHistogram()
  const updateLatency = createHistogram()
  return {
    /** A group commit started at `startedAt` (performance.now()) is durable. */
    committed(startedAt: number, rows: number, changes: number): void {
      recordSince(commitLatency, startedAt)
      counters.commits++
      counters.committedRows += rows
      counters.committedChanges += changes
    },
    /** A change that arrived at `queuedAt` (performance.now()) was sent to every client. */
    delivered(queuedAt: number): void {
      recordSince(updateLatency, queuedAt)
    },
    stats(live: { documents: number; connections: number }): EngineStats {
      return { ...live, ...counters, latency: { commit: summarize(commitLatency), update: summarize(updateLatency) } }
    },
    resetLatency(): void {
      commitLatency.reset()
      updateLatency.reset()
    },
  }
}

export type EngineMetrics = ReturnType<typeof createEngineMetrics>
