// What a server build (dist/) was made from, and whether it is still current: shared by the
// build (server/build.mjs writes the stamp) and the start (server/start.mjs reads it), so that
// `npm start` checks it in its own process instead of starting another Node for it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const webDist = path.join(root, 'client/web/dist')

/** The stamp of the build in `out`: every input with its size and time. */
export const stampFile = (out) => path.join(out, 'build-inputs.json')

function filesUnder(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath ?? entry.path, entry.name)))
}

/** Each file (relative to the project) with its size and modification time. */
export function fingerprint(files) {
  return Object.fromEntries(
    files.map((file) => {
      const stat = statSync(path.join(root, file), { throwIfNoEntry: false })
      return [file, stat ? `${stat.size}:${stat.mtimeMs}` : 'missing']
    }),
  )
}

/** What the build copies beside the bundle, and the build's own scripts. */
const copiedFiles = () => [
  ...filesUnder(path.join(root, 'db/migrations')),
  ...filesUnder(webDist),
  'server/build.mjs',
  'server/build-stamp.mjs',
]

/**
 * The files a build's stamp lists: the sources esbuild read (`inputs`), what is copied beside
 * the bundle, and for the packages bundled, npm's record of the installed tree, which every
 * install rewrites (~2,000 package files, whose checks took most of a start's ~70 ms check).
 */
export function stampedFiles(inputs) {
  const own = inputs.filter((file) => !file.split(path.sep).includes('node_modules'))
  const packages = own.length < inputs.length ? ['node_modules/.package-lock.json'] : []
  return [...own, ...packages, ...copiedFiles()]
}

/**
 * True when nothing the build in `out` was made from has changed since. A source added later
 * matters only once a file already listed imports it, which changes that file.
 */
export function buildIsCurrent(out) {
  const file = stampFile(out)
  if (!existsSync(file)) return false
  const stamp = JSON.parse(readFileSync(file, 'utf8'))
  const listed = Object.keys(stamp.files)
  if (!copiedFiles().every((name) => name in stamp.files)) return false
  return JSON.stringify(fingerprint(listed)) === JSON.stringify(stamp.files)
}
