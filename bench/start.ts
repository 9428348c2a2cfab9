// bench/start: how long `npm start` takes to answer /healthz on the embedded default (PGlite
// under DATA_DIR), and what the idle server holds in memory next to the y-websocket reference
// server measured in the same run.
//
//   npx tsx bench/start.ts [--runs 5] [--settle 20]
//
// The server is compiled as `npm start` runs it (server/build.mjs into a folder of its own
// under .tap/), then started with `node --enable-source-maps dist/server/main.js`'s command:
// once on an empty DATA_DIR (PGlite initialises its files and every migration runs), then
// --runs times on that same, current DATA_DIR (an ordinary restart); the time is from spawn
// to the first 200 of /healthz, with the CPU time the server process used until then (all its
// threads, from /proc: on a shared, loaded machine the wall time says more about the load than
// about the start, the CPU time less so). Idle RSS: after the last start, --settle seconds, then
// VmRSS from /proc, as for the peer (`bench/realtime-peers/y-websocket.ts`, idle, no documents).
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { loadavg } from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { root, startProcess } from './run-server.js'

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, settle: { type: 'string', default: '20' } },
})
const runs = Number(values.runs)
const settleSeconds = Number(values.settle)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** User + system CPU time of a process so far, all threads (clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

/**
 * Starts the compiled server (or `npm start` with `command`); resolves once /healthz answers
 * 200, with the time it took.
 */
async function start(main: string, dataDir: string, port: number, command?: string[]) {
  const started = process.hrtime.bigint()
  const [file, ...args] = command ?? [process.execPath, '--enable-source-maps', main]
  const child = spawn(file!, args, {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
    // npm and the server it starts stop together (the process group).
    detached: Boolean(command),
  })
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`))),
  )
  for (;;) {
    const ok = await Promise.race([
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.ok,
        () => false,
      ),
      exited,
    ])
    if (ok) break
    await sleep(20)
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const cpu = await cpuMs(child.pid!)
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      if (command) process.kill(-child.pid!, 'SIGTERM')
      else child.kill('SIGTERM')
    })
  return { ms, cpu, pid: child.pid!, stop }
}

async function main() {
  const outdir = await mkdtemp(path.join(root, '.tap', 'bench-start-'))
  const dataDir = await mkdtemp('/tmp/workroom-bench-start-')
  try {
    await promisify(execFile)(process.execPath, ['server/build.mjs', `--outdir=${outdir}`], { cwd: root })
    const mainJs = path.join(outdir, 'server/main.js')
    const port = 4600 + Math.floor(Math.random() * 300)
    const loadBefore = loadavg()[0]!
    const first = await start(mainJs, dataDir, port)
    await first.stop()
    process.stdout.write(`first start (empty DATA_DIR, migrations): ${first.ms.toFixed(0)} ms (${first.cpu} ms CPU)\n`)
    const times: number[] = []
    const cpuTimes: number[] = []
    let last: Awaited<ReturnType<typeof start>> | undefined
    for (let i = 0; i < runs; i++) {
      last = await start(mainJs, dataDir, port)
      times.push(last.ms)
      cpuTimes.push(last.cpu)
      process.stdout.write(`restart ${i + 1}: ${last.ms.toFixed(0)} ms (${last.cpu} ms CPU)\n`)
      if (i < runs - 1) await last.stop()
    }
    await last!.stop()
    // `npm start` as a person types it: server/start.mjs checks the web app and the server build
    // (rebuilt only when a source changed; made current once before these runs), then starts.
    await promisify(execFile)(process.execPath, ['server/build.mjs', '--if-stale'], { cwd: root })
    const npmTimes: number[] = []
    for (let i = 0; i < runs; i++) {
      const run = await start('', dataDir, port, ['npm', 'start', '--silent'])
      npmTimes.push(run.ms)
      process.stdout.write(`npm start ${i + 1}: ${run.ms.toFixed(0)} ms\n`)
      await run.stop()
    }
    last = await start(mainJs, dataDir, port)
    const peer = await startProcess('bench/realtime-peers/y-websocket.ts', {}, /BENCH READY/)
    await sleep(settleSeconds * 1000)
    const serverRss = await rssMiB(last!.pid)
    const peerRss = await rssMiB(peer.child.pid!)
    await Promise.all([last!.stop(), peer.stop()])
    process.stdout.write(
      [
        '',
        `| measure | figure |`,
        `|---|---|`,
        `| start to /healthz, empty DATA_DIR (first start) | ${first.ms.toFixed(0)} ms |`,
        `| start to /healthz, current DATA_DIR, median of ${runs} | ${median(times).toFixed(0)} ms (${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)}) |`,
        `| \`npm start\` to /healthz, nothing changed since the last build, median of ${runs} | ${median(npmTimes).toFixed(0)} ms (${Math.min(...npmTimes).toFixed(0)}-${Math.max(...npmTimes).toFixed(0)}) |`,
        `| CPU time of the node starts (all threads), median | ${median(cpuTimes)} ms (${Math.min(...cpuTimes)}-${Math.max(...cpuTimes)}) |`,
        `| load average (1 min) before / after the starts | ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} |`,
        `| idle RSS after ${settleSeconds} s, Workroom (embedded PGlite) | ${serverRss.toFixed(0)} MiB |`,
        `| idle RSS after ${settleSeconds} s, y-websocket server | ${peerRss.toFixed(0)} MiB (ratio x${(serverRss / peerRss).toFixed(1)}) |`,
        '',
      ].join('\n'),
    )
  } finally {
    await rm(outdir, { recursive: true, force: true })
    await rm(dataDir, { recursive: true, force: true })
  }
}

await main()
