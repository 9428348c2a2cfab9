// Compiles the server to JavaScript in dist/ (plain JS: it runs from npm scripts and the image
// build before any TypeScript tooling is guaranteed), so production runs `node` directly and
// signals reach the server itself rather than npm or a TypeScript runner.
//
//   npm run build                       the image: dist/server/main.js and the CLIs
//   node server/build.mjs --if-stale    the same, unless nothing changed since the last build
//   node server/build.mjs --outdir=DIR  elsewhere (a test builds its own copy); DIR must lie
//                                       inside the project so that node_modules is found
//
// The server and the CLIs are bundled, with the packages they use, into a few files: a start
// then loads ~50 files (the bundle and the packages left external) instead of ~1,500 modules,
// whose lookups and compiles took about a third of a start.
// Code loaded only when used (the S3 driver) stays in a chunk of its own. The entry points keep
// their paths (dist/server/main.js, dist/server/cli/*.js) and find the migrations and the web
// app from there, as in the source tree (dist/db/migrations, dist/client/web/dist, copied here):
// bundled code cannot find anything from its own location, since it no longer has one.
// Types are not checked here (`npm run typecheck` does that).
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { buildIsCurrent, fingerprint, root, stampedFiles, stampFile as stampFileOf, webDist } from './build-stamp.mjs'

const outdirArg = process.argv.find((arg) => arg.startsWith('--outdir='))
const out = path.resolve(root, outdirArg ? outdirArg.slice('--outdir='.length) : 'dist')

const stampFile = stampFileOf(out)
const web = webDist

// `npm start` (server/start.mjs) and --if-stale: nothing changed since the last build, so the
// build is kept. A start then costs Node's start alone, not a build (2-6 s).
if (process.argv.includes('--if-stale') && buildIsCurrent(out)) process.exit(0)

const { build } = await import('esbuild')
const { default: pino } = await import('pino')
// The build's own lines, as JSON like every other log of the project.
const log = pino({ base: { name: 'build' } })

/** What runs from dist/: the server, and the CLIs an operator runs inside the image. */
const entryPoints = ['server/main.ts', 'server/cli/admin-create.ts', 'server/cli/db-migrate.ts']

/**
 * Packages loaded from node_modules at run time rather than bundled: native addons (sharp,
 * argon2), packages that read files beside their own ES module code (PGlite's WebAssembly and
 * file system image) or start workers from their files (pino's transports), and clients loaded
 * only when configured (MinIO, Redis).
 */
const external = ['@electric-sql/pglite', '@node-rs/argon2', 'ioredis', 'minio', 'pino', 'sharp', 'thread-stream']

const requireHere = createRequire(import.meta.url)

/**
 * A bundled CommonJS file that finds files beside itself (`__dirname`: swagger's UI assets and
 * package.json) is given the folder it has in node_modules, found at run time from where Node
 * resolves its package, since the bundle has no such folder.
 */
const ownFolderInNodeModules = {
  name: 'own-folder-in-node-modules',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8')
      if (!/\b__(dirname|filename)\b/.test(text)) return undefined
      const name = packageName(args.path)
      const entry = requireHere.resolve(name, { paths: [root] })
      const fromEntry = path.relative(path.dirname(entry), args.path).split(path.sep).join('/')
      const located =
        `var __filename = require('node:path').join(require('node:path').dirname(require.resolve(${JSON.stringify(name)})), ${JSON.stringify(fromEntry)}),` +
        ` __dirname = require('node:path').dirname(__filename);\n`
      return { contents: located + text, loader: 'js', resolveDir: path.dirname(args.path) }
    })
  },
}

/** The name of the package a file in node_modules belongs to. */
function packageName(file) {
  const parts = file.split(path.sep)
  const at = parts.lastIndexOf('node_modules') + 1
  return parts[at].startsWith('@') ? `${parts[at]}/${parts[at + 1]}` : parts[at]
}

const started = Date.now()
rmSync(out, { recursive: true, force: true })
let result
try {
  result = await build({
    absWorkingDir: root,
    entryPoints,
    outdir: out,
    outbase: '.',
    chunkNames: 'server/chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    external,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    plugins: [ownFolderInNodeModules],
    // Less for Node to parse at each start; names are kept, and the source map (read at start
    // under --enable-source-maps, so without the sources' text) maps stack traces back.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  })
} catch (err) {
  log.error({ err }, 'server build failed')
  process.exit(1)
}

const outputs = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'))
cpSync(path.join(root, 'db/migrations'), path.join(out, 'db/migrations'), { recursive: true })
if (existsSync(web)) cpSync(web, path.join(out, 'client/web/dist'), { recursive: true })
const inputs = Object.keys(result.metafile.inputs).map((file) => path.relative(root, path.resolve(root, file)))
writeFileSync(stampFile, JSON.stringify({ files: fingerprint(stampedFiles(inputs)) }))
log.info({ files: outputs.length, outdir: path.relative(root, out), ms: Date.now() - started }, 'server built')
