// `npm start`: builds what is missing or stale, then runs the compiled server in this same
// process. The checks run here rather than as prestart scripts: each of those was a Node
// process of its own (~0.35 s of the ~2 s a start takes on the embedded default).
//
// The web app is built only when there is none (`npm install` builds it; `npm run build:web`
// rebuilds it); the server is rebuilt when any file it was built from changed.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildIsCurrent, root } from './build-stamp.mjs'

/** Runs a build script in a Node of its own; a failed build stops the start. */
function run(script, ...args) {
  const result = spawnSync(process.execPath, [path.join(root, script), ...args], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

// WEB_DIR (a server setting too) puts the web app elsewhere; client/web/build.mjs reads it as well.
const webDir = process.env.WEB_DIR ? path.resolve(process.env.WEB_DIR) : path.join(root, 'client/web/dist')
if (!existsSync(path.join(webDir, 'index.html'))) run('client/web/build.mjs', '--if-missing')
const dist = path.join(root, 'dist')
if (!buildIsCurrent(dist)) run('server/build.mjs')

await import(pathToFileURL(path.join(dist, 'server/main.js')).href)
