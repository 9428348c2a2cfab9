// The compiled server (what the image and `npm start` run): `node` on dist/server/main.js
// starts on the embedded defaults, serves the web app and the API docs, and a SIGTERM sent to
// its own process drains and exits 0 within 5 s, with no npm or TypeScript runner in between to
// swallow the signal. The operator's command-line tool runs from the build too.
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
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

// Its own build, inside the project (node_modules must be found above it), so a dist/ someone
// is running from is left alone; one data dir, used by the server and then by the tool.
await mkdir(path.join(projectRoot, '.tap'), { recursive: true })
const outdir = await mkdtemp(path.join(projectRoot, '.tap', 'build-'))
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workroom-compiled-'))
t.teardown(() =>
  Promise.all([rm(outdir, { recursive: true, force: true }), rm(dataDir, { recursive: true, force: true })]),
)
// The build copies the web app beside the server: npm install built it, unless that was skipped.
if (!existsSync(path.join(projectRoot, 'client/web/dist/index.html')))
  await promisify(execFile)(process.execPath, ['client/web/build.mjs', '--strict'], { cwd: projectRoot })
await promisify(execFile)(process.execPath, ['server/build.mjs', `--outdir=${outdir}`], { cwd: projectRoot })

t.test('the compiled server starts with node and exits 0 within 5 s of SIGTERM', async (t) => {
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

  const page = await fetch(`${base}/jobs/123`, { headers: { accept: 'text/html' } })
  t.equal(page.status, 200, 'a page address answers')
  t.match(await page.text(), '<title>Workroom</title>', 'with the web app')
  const docs = await fetch(`${base}/docs/static/index.html`)
  t.match(await docs.text(), 'swagger-initializer.js', 'the API docs page is served')
  const docsStyle = await fetch(`${base}/docs/static/swagger-ui.css`)
  t.equal(docsStyle.status, 200, 'with its assets')
  await docsStyle.arrayBuffer() // read to the end: an unread response would hold the shutdown

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

t.test("the build's operator tool makes an operator in the server's database", async (t) => {
  const args = ['--email', 'ops@example.com', '--password', 'correct horse battery', '--name', 'Ops']
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(outdir, 'server/cli/admin-create.js'), ...args],
    {
      cwd: os.tmpdir(),
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    },
  )
  t.match(stdout, /operator ready: ops@example\.com/, 'it says the operator is ready')
})

t.test(
  '`npm start` keeps a build while nothing it was made from changed, and rebuilds when a source did',
  async (t) => {
    const ifStale = async () =>
      (
        await promisify(execFile)(process.execPath, ['server/build.mjs', '--if-stale', `--outdir=${outdir}`], {
          cwd: projectRoot,
        })
      ).stdout
    const stampFile = path.join(outdir, 'build-inputs.json')
    const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as { files: Record<string, string> }
    t.ok(
      'server/main.ts' in stamp.files && 'db/migrations/meta/_journal.json' in stamp.files,
      'the sources and migrations are listed',
    )
    t.ok(
      'node_modules/.package-lock.json' in stamp.files,
      'the installed packages are stood for by npm’s record of them',
    )
    t.notOk(
      Object.keys(stamp.files).some((file) => file.startsWith('node_modules/fastify/')),
      'not by each of their files',
    )
    t.equal(await ifStale(), '', 'nothing changed: the build is kept')
    // As if server/main.ts had been edited since the build.
    await writeFile(stampFile, JSON.stringify({ files: { ...stamp.files, 'server/main.ts': '1:1' } }))
    t.match(await ifStale(), /server built/, 'a source changed: the server is built again')
    t.equal(await ifStale(), '', 'and then kept')
  },
)
