// The web app's first-page JavaScript, gzipped: the entry script of the built index.html and
// every module it imports statically, transitively (what the browser must load before the
// first page runs; `import()` chunks load later, per page, and are not counted).
//
//   node client/web/build.mjs --strict && npx tsx bench/web-bundle.ts
//   WEB_DIR=/tmp/my-web npx tsx bench/web-bundle.ts      (a build of one's own)
//
// Budget: 100 KB (102,400 bytes) gzipped; exits 1 above it.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { root } from './run-server.js'

const BUDGET = 100 * 1024
const dist = process.env.WEB_DIR ? path.resolve(process.env.WEB_DIR) : path.join(root, 'client/web/dist')

const html = await readFile(path.join(dist, 'index.html'), 'utf8')
const entry = html.match(/<script[^>]*type="module"[^>]*src="([^"]+\.js)"/)?.[1]
if (!entry) throw new Error(`no module script in ${path.join(dist, 'index.html')}`)

// Static imports in esbuild/Rollup output: `import{a}from"./x.js"`, `import"./x.js"`, `export*from"./x.js"`.
const staticImport = /(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]*?\s*from\s*)?["']([^"']+\.js)["']/g

const seen = new Map<string, { raw: number; gzip: number }>()
async function visit(url: string): Promise<void> {
  if (seen.has(url)) return
  const code = await readFile(path.join(dist, url), 'utf8')
  seen.set(url, { raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length })
  for (const match of code.matchAll(staticImport)) {
    const target = match[1]!
    if (!target.startsWith('.') && !target.startsWith('/')) continue
    await visit(target.startsWith('/') ? target : path.posix.join(path.posix.dirname(url), target))
  }
}
await visit(entry)

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
let raw = 0
let gzip = 0
for (const [url, size] of seen) {
  raw += size.raw
  gzip += size.gzip
  process.stdout.write(`${url.padEnd(48)} ${kb(size.raw).padStart(10)} ${kb(size.gzip).padStart(10)} gzipped\n`)
}
process.stdout.write(
  `first page JavaScript: ${seen.size} file(s), ${kb(raw)}, ${kb(gzip)} gzipped (budget ${kb(BUDGET)})\n`,
)
if (gzip > BUDGET) process.exit(1)
