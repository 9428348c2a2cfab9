// The servers under test of bench/realtime.ts, each in a child process of its own: Workroom
// (bench/realtime-server.ts) and the peers (bench/realtime-peers/). Each prints
// `BENCH READY <url> <token> <driver>` once it listens and answers the same `/bench/*` routes.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

export type Kind = 'workroom' | 'y-websocket' | 'hocuspocus'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version

export const servers: Record<Kind, { script: string; label: string }> = {
  workroom: { script: 'bench/realtime-server.ts', label: 'Workroom (durable)' },
  'y-websocket': {
    script: 'bench/realtime-peers/y-websocket.ts',
    label: 'y-websocket reference server 0.1.1 (in memory)',
  },
  hocuspocus: {
    script: 'bench/realtime-peers/hocuspocus.ts',
    label: `Hocuspocus ${versionOf('@hocuspocus/server')} (in memory)`,
  },
}

export type Summary = { count?: number; p50: number; p99: number; max: number }
/** What `/bench/stats` answers. */
export type Stats = {
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

/** Starts the server of `kind` and waits until it listens and its start-up work settled. */
export async function startServer(kind: Kind) {
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ') ?? []
  const server = spawn(process.execPath, [...nodeArgs, '--expose-gc', '--import', 'tsx', servers[kind].script], {
    cwd: root,
    env: { ...process.env, DOC_UNLOAD_AFTER_MS: '30000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  // A bench that fails does not leave its server running.
  const killServer = () => server.kill('SIGKILL')
  process.once('exit', killServer)
  const [base, token, driver] = await new Promise<string[]>((resolve, reject) => {
    let output = ''
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /BENCH READY (\S+) (\S+) (\S+)/.exec(output)
      if (match) resolve([match[1]!, match[2]!, match[3]!])
      // The server's own log lines (warnings and errors) go to the bench's stderr.
      if (match) process.stderr.write(chunk.toString().replace(/^BENCH READY .*\n/m, ''))
    })
    server.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)))
  })
  const startedAt = performance.now()
  await sleep(1000) // let start-up work settle
  return {
    base: base!,
    ws: base!.replace('http', 'ws'),
    token: token!,
    driver: driver!,
    /** When it was ready (performance.now()). */
    startedAt,
    /** The process's resident memory, as the OS counts it. */
    rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) * 1024,
    /** `gc`: a full collection first; `reset`: Workroom's latency histograms start over. */
    stats: async (gc = false, reset = false) =>
      (await (await fetch(`${base}/bench/stats?${gc ? 'gc=1&' : ''}${reset ? 'reset=1' : ''}`)).json()) as Stats,
    post: async (url: string, body: unknown) =>
      (
        await fetch(`${base}${url}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json(),
    async stop(): Promise<void> {
      process.off('exit', killServer)
      server.kill('SIGTERM')
      await new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve)))
    },
  }
}

export type BenchServer = Awaited<ReturnType<typeof startServer>>
