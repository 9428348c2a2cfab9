// Compiles the server to JavaScript in dist/ (plain JS: it runs from npm scripts and the image
// build before any TypeScript tooling is guaranteed), so production runs `node` directly and
// signals reach the server itself rather than npm or a TypeScript runner.
//
//   npm run build                       prestart and the image: dist/server/main.js and the CLIs
//   node server/build.mjs --outdir=DIR  elsewhere (a test builds its own copy); DIR must lie
//                                       inside the project so that node_modules is found
//
// One output file per source file keeps the layout of server/, db/ and common/ under dist/,
// so the paths the code finds from its own location still hold: db/migrations is copied
// beside dist/db/client.js and client/web/dist beside dist/server/plugins/web.js's `../../`.
// Types are not checked here (`npm run typecheck` does that).
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import pino from 'pino'

// The build's own lines, as JSON like every other log of the project.
const log = pino({ base: { name: 'build' } })

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outdirArg = process.argv.find((arg) => arg.startsWith('--outdir='))
const out = path.resolve(root, outdirArg ? outdirArg.slice('--outdir='.length) : 'dist')
/** Tests, their fixtures and the docs generator (it rewrites files of the source tree) stay out. */
const leftOut = /(\.test\.ts|fixture\.ts|server\/cli\/config-docs\.ts)$/

const entryPoints = ['server', 'db', 'common'].flatMap((dir) =>
  readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .map((file) => path.posix.join(dir, file.split(path.sep).join('/')))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !leftOut.test(file)),
)

const started = Date.now()
rmSync(out, { recursive: true, force: true })
try {
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir: out,
    outbase: '.',
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  })
} catch (err) {
  log.error({ err }, 'server build failed')
  process.exit(1)
}
cpSync(path.join(root, 'db/migrations'), path.join(out, 'db/migrations'), { recursive: true })
const web = path.join(root, 'client/web/dist')
if (existsSync(web)) cpSync(web, path.join(out, 'client/web/dist'), { recursive: true })
log.info({ files: entryPoints.length, outdir: path.relative(root, out), ms: Date.now() - started }, 'server built')
