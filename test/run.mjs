// `npm test`: compiles every test file once with esbuild, then runs them on plain Node (no
// TypeScript loader in each test process), several at a time (test/runner.mjs).
//
// Loading the app through the loader costs each test process ~4 s of CPU (every import, the
// packages' too, goes through its resolve and load hooks); from one bundle per test file with
// shared chunks it costs ~1.4 s. With 80-odd files on two cores that is about two minutes of
// the suite. `npx tap some.test.ts` still runs a single file from source through the loader
// (the `tap` section of package.json).
//
//   npm test                              every test file
//   npm test -- server/foo.test.ts ...    those files (their sources' paths), compiled the same way
//   npm test -- --reporter=tap            TAP out (CI), instead of one line a file
//   npm test -- --jobs=3                  files at a time (default: the `tap` config's jobs)
//   npm test -- --node-arg=--cpu-prof     an argument for every test process
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as esbuild from 'esbuild'
import { runTests } from './runner.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/**
 * Inside tap's own working folder, which git, the linters and the formatter ignore; one folder
 * per run, so that a run started beside another (one file while the suite runs) does not
 * delete the files the other has yet to start.
 */
const builds = path.join(root, '.tap', 'build')
const outdir = path.join(builds, String(process.pid))
const isTestFile = (arg) => /\.test\.tsx?$/.test(arg)
/** Which database the files run on: their durations differ enough to order them differently. */
const flavour = process.env.DATABASE_URL ? '.postgres' : ''

const tapConfig = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).tap ?? {}
const args = process.argv.slice(2)
const chosen = args.filter(isTestFile)
const options = { jobs: tapConfig.jobs ?? 2, reporter: 'lines', nodeArgs: [] }
for (const arg of args.filter((arg) => !isTestFile(arg))) {
  const [name, value] = arg.split(/=(.*)/s)
  if (name === '--reporter' && value) options.reporter = value === 'tap' ? 'tap' : 'lines'
  else if (name === '--jobs' && Number(value) > 0) options.jobs = Number(value)
  else if (name === '--node-arg' && value) options.nodeArgs.push(value)
  else {
    console.error(`unknown argument ${arg}: npm test takes test files, --reporter=tap, --jobs=N, --node-arg=ARG`)
    process.exit(2)
  }
}

/** Every `*.test.ts(x)` under the project's source folders. */
async function listTestFiles() {
  const found = []
  const walk = async (dir) => {
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name)
      if (entry.isDirectory() && !/^(node_modules|dist|data)$|^\./.test(entry.name)) await walk(relative)
      else if (entry.isFile() && isTestFile(entry.name)) found.push(relative)
    }
  }
  for (const dir of ['server', 'client', 'common', 'db', 'test', 'bench']) await walk(dir).catch(() => {})
  return found.sort()
}

/**
 * Each source keeps its own `import.meta.url` (the path of the .ts file), so what a module
 * finds next to itself (migrations, the built web app, fixtures) is found as when run from source.
 */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8')
      if (!source.includes('import.meta.url')) return undefined
      return {
        contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: args.path.endsWith('x') ? 'tsx' : 'ts',
      }
    })
  },
}

/**
 * `import t from 'tap'` in the test files (and what they import) gets test/tap-current.mjs,
 * which makes `t` the file's own test when test/group-host.mjs runs several files in a process.
 */
const tapOfTheFile = {
  name: 'tap-of-the-file',
  setup(build) {
    const hostFiles = ['test/tap-current.mjs', 'test/group-host.mjs'].map((file) => path.join(root, file))
    build.onResolve({ filter: /^tap$/ }, (args) =>
      hostFiles.includes(args.importer) ? { path: 'tap', external: true } : { path: hostFiles[0] },
    )
  },
}

function isAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

/** Scripts the tests start in processes of their own (test/fixtures/node-script.ts finds them). */
const spawnedScripts = ['server/main.ts', 'server/cli/config-docs.ts', 'test/fixtures/webhook-event-writer.ts']

/**
 * tap's test class is generated for the plugins the `tap` config names (`tap build`, which
 * rewrites node_modules/@tapjs/test/test-built). It runs only when that list changed since the
 * last build (or after `npm ci`), one run at a time: two builds at once, or a test file
 * loading tap during a build, would find it half-written.
 */
async function ensureTapBuilt() {
  const stamp = path.join(root, 'node_modules', '.cache', 'workroom', 'tap-plugins.json')
  const wanted = JSON.stringify({ plugins: tapConfig.plugin ?? [], tap: await tapVersion() })
  const built = path.join(root, 'node_modules/@tapjs/test/test-built/dist/esm/index.js')
  const current = async () => existsSync(built) && (await readFile(stamp, 'utf8').catch(() => '')) === wanted
  if (await current()) return
  const lock = `${stamp}.lock`
  await mkdir(path.dirname(stamp), { recursive: true })
  for (let waited = 0; ; waited += 200) {
    try {
      await mkdir(lock)
      break
    } catch {
      // Another run is building; a lock older than two minutes was left by a killed one.
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ))
      if (age > 120_000) await rm(lock, { recursive: true, force: true })
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    if (await current()) return
    // What `tap build` does, without loading tap (whose test class may be what is missing).
    const { defaultPlugins } = await import(
      pathToFileURL(path.join(root, 'node_modules/@tapjs/test/dist/esm/default-plugins.js')).href
    )
    const named = tapConfig.plugin ?? []
    const plugins = [
      ...defaultPlugins.filter((plugin) => !named.includes(`!${plugin}`)),
      ...named.filter((plugin) => !plugin.startsWith('!') && !defaultPlugins.includes(plugin)),
    ]
    const code = await new Promise((resolve) => {
      const generator = path.join(root, 'node_modules/@tapjs/test/dist/esm/build.mjs')
      const child = spawn(process.execPath, [generator, ...plugins], { cwd: root, stdio: 'inherit' })
      child.on('exit', (exitCode, signal) => resolve(signal ? 1 : (exitCode ?? 1)))
    })
    if (code !== 0) throw new Error('tap build failed')
    await writeFile(stamp, wanted)
  } finally {
    await rm(lock, { recursive: true, force: true })
  }
}

async function tapVersion() {
  return JSON.parse(await readFile(path.join(root, 'node_modules/tap/package.json'), 'utf8')).version
}

const files = chosen.length > 0 ? chosen : await listTestFiles()
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
await ensureTapBuilt()
const started = Date.now()
// Folders of earlier runs whose process is gone (a finished run removes its own).
for (const entry of await readdir(builds).catch(() => [])) {
  const pid = Number(entry)
  if (/^\d+$/.test(entry) && !isAlive(pid)) await rm(path.join(builds, entry), { recursive: true, force: true })
}
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [...files, 'test/prepare.ts', 'test/group-host.mjs', ...spawnedScripts],
  outdir,
  outbase: '.',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
  plugins: [ownUrl, tapOfTheFile],
  // Chunks of shared code: named by content, next to the tests in the build folder.
  chunkNames: 'chunks/[name]-[hash]',
})
const compiled = (file) => path.join(outdir, file.replace(/\.(tsx?|mjs)$/, '.js'))
process.stderr.write(`compiled ${files.length} test files in ${Date.now() - started} ms\n`)

// The database images every test copies, built once before the first test file starts.
let migrations = ''
const prepared = await new Promise((resolve) => {
  const child = spawn(process.execPath, ['--enable-source-maps', compiled('test/prepare.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.stdout.on('data', (chunk) => (migrations += chunk))
  child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)))
})
if (prepared !== 0) {
  console.error('preparing the test databases failed')
  await rm(outdir, { recursive: true, force: true })
  process.exit(1)
}

const ok = await runTests(
  files.map((source) => ({ source, compiled: compiled(source) })),
  {
    jobs: options.jobs,
    reporter: options.reporter,
    host: compiled('test/group-host.mjs'),
    nodeArgs: [
      '--enable-source-maps',
      `--import=${pathToFileURL(path.join(root, 'test/flat-errors.mjs'))}`,
      ...options.nodeArgs,
    ],
    // tap's variables: each file's own timeout (its t.setTimeout can raise it).
    env: {
      ...process.env,
      TAP_TIMEOUT: String(tapConfig.timeout ?? 30),
      TEST_BUILD_DIR: outdir,
      // The migrations the images were built from (test/fixtures.ts).
      TEST_MIGRATIONS_HASH: /migrations ([0-9a-f]+)/.exec(migrations)?.[1] ?? '',
    },
    hardLimitMs: 15 * 60_000,
    // Per database: on Postgres (with CI's ledger sizes) the money race and property tests take
    // 130-140 s, on PGlite 12-22 s; ordered by PGlite's times they started late and ran alone
    // at the end of the Postgres pass.
    timingsFile: path.join(root, '.tap', `timings${flavour}.json`),
    // Refreshed now and then from a full run here: cp .tap/timings.json test/timings.json (and
    // .tap/timings.postgres.json after a run with DATABASE_URL)
    seedTimingsFile: path.join(root, 'test', `timings${flavour}.json`),
  },
)
await rm(outdir, { recursive: true, force: true })
process.exit(ok ? 0 : 1)
