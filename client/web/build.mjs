// Builds the web app into client/web/dist (plain JS: it runs from npm scripts before any
// TypeScript tooling is guaranteed).
//
//   node client/web/build.mjs              postinstall: build when vite is installed; a dev-less
//                                          install (npm ci --omit=dev) skips quietly
//   node client/web/build.mjs --if-missing npm start (server/start.mjs): build only when there is no dist yet
//   node client/web/build.mjs --strict     npm run build:web, Docker: any failure fails
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const here = path.dirname(fileURLToPath(import.meta.url))
// WEB_DIR (a server setting too) puts the build elsewhere; vite.config.ts reads it as well.
const dist = process.env.WEB_DIR ? path.resolve(process.env.WEB_DIR) : path.join(here, 'dist')
const args = new Set(process.argv.slice(2))
const strict = args.has('--strict')

if (args.has('--if-missing') && existsSync(path.join(dist, 'index.html'))) process.exit(0)

let vite
try {
  vite = await import('vite')
} catch {
  if (strict) {
    console.error('web build: vite is not installed (install dev dependencies)')
    process.exit(1)
  }
  if (!existsSync(path.join(dist, 'index.html'))) {
    console.warn('web build: skipped (vite is not installed); the server will serve the API only')
  }
  process.exit(0)
}

const started = Date.now()
try {
  await vite.build({ configFile: path.join(here, 'vite.config.ts'), logLevel: 'warn' })
} catch (err) {
  console.error(`web build failed: ${err instanceof Error ? err.message : err}`)
  // A broken web build must not break `npm install` for the API: say it loudly and go on
  // (the server then serves the API only and the end-to-end tests fail).
  process.exit(strict ? 1 : 0)
}

// Pre-compressed copies, served by @fastify/static to clients that accept them.
let files = 0
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) walk(full)
    else if (/\.(js|css|html|svg|json)$/.test(name) && statSync(full).size > 1024) {
      const body = readFileSync(full)
      writeFileSync(`${full}.gz`, gzipSync(body, { level: 9 }))
      writeFileSync(`${full}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
      files++
    }
  }
}
walk(dist)
console.log(
  `web app built in ${Date.now() - started} ms (${files} files pre-compressed): ${path.relative(process.cwd(), dist) || dist}`,
)
