// The compiled server (what the image and `npm start` run): `node` on dist/server/main.js
// starts on the embedded defaults, and a SIGTERM sent to its own process drains and exits
// 0 within 5 s, with no npm or TypeScript runner in between to swallow the signal.
import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { projectRoot } from './fixtures.js'

t.setTimeout(120_000)

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function healthz(base: string): Promise<number> {
  try {
    return (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) })).status
  } catch {
    return 0
  }
}

t.test('the compiled server starts with node and exits 0 within 5 s of SIGTERM', async (t) => {
  // Its own build, inside the project (node_modules must be found above it), so a dist/
  // someone is running from is left alone.
  await mkdir(path.join(projectRoot, '.tap'), { recursive: true })
  const outdir = await mkdtemp(path.join(projectRoot, '.tap', 'build-'))
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workroom-compiled-'))
  t.teardown(() =>
    Promise.all([rm(outdir, { recursive: true, force: true }), rm(dataDir, { recursive: true, force: true })]),
  )
  await promisify(execFile)(process.execPath, ['server/build.mjs', `--outdir=${outdir}`], { cwd: projectRoot })

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [path.join(outdir, 'server/main.js')], {
    cwd: projectRoot,
    // The embedded defaults: PGlite and files on disk, one instance.
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })

  const startedAt = Date.now()
  let status = 0
  while (status !== 200 && child.exitCode === null && Date.now() - startedAt < 90_000) {
    status = await healthz(base)
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(status, 200, `GET /healthz answers 200 (${Date.now() - startedAt} ms after start)`, { output })
  t.match(output, `Workroom is running: open http://localhost:${port}`, 'it says where to open it')

  const signalledAt = Date.now()
  child.kill('SIGTERM')
  const { code, signal } = await Promise.race([
    exited,
    new Promise<{ code: null; signal: null }>((resolve) =>
      setTimeout(() => resolve({ code: null, signal: null }), 10_000),
    ),
  ])
  const took = Date.now() - signalledAt
  t.comment(`SIGTERM to pid ${child.pid}: exit code ${code}, signal ${signal}, after ${took} ms`)
  t.equal(code, 0, 'it exits with code 0', { output: output.slice(-2000) })
  t.ok(took < 5000, `within 5 s (${took} ms)`)
  t.match(output, 'shutting down', 'it logs the drain')
  t.equal(await healthz(base), 0, 'the port is closed afterwards')
})
