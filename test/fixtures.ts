import { createHash } from 'node:crypto'
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrationsFolder } from '../db/client.js'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Changes whenever a migration changes, so fixtures are rebuilt exactly when needed. `npm test`
 * takes it once, when it compiles the tests (TEST_MIGRATIONS_HASH): a migration added while the
 * suite runs belongs to the next run, as the code that would use it does.
 */
export async function migrationsHash(): Promise<string> {
  if (process.env.TEST_MIGRATIONS_HASH) return process.env.TEST_MIGRATIONS_HASH
  const hash = createHash('sha256')
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(full)
      else hash.update(entry.name).update(await readFile(full))
    }
  }
  await walk(migrationsFolder)
  return hash.digest('hex').slice(0, 16)
}

export async function pgliteImagePath(): Promise<string> {
  return path.join(projectRoot, 'node_modules', '.cache', 'workroom', `pglite-${await migrationsHash()}.tar.gz`)
}

/** A migrated PGlite data directory, as a server leaves it in DATA_DIR/pglite (test/prepare.ts). */
export async function pgliteDirTemplatePath(): Promise<string> {
  return path.join(projectRoot, 'node_modules', '.cache', 'workroom', `pglite-dir-${await migrationsHash()}`)
}

/**
 * A new DATA_DIR whose PGlite database is already migrated, for tests that start a server on
 * disk: a first start creates the cluster and runs every migration (~5 s of CPU), which only
 * the tests of a first start need to pay.
 */
export async function migratedDataDir(prefix: string): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), prefix))
  await cp(await pgliteDirTemplatePath(), path.join(dataDir, 'pglite'), { recursive: true })
  return dataDir
}

export async function templateDatabaseName(): Promise<string> {
  return `workroom_tpl_${await migrationsHash()}`
}

/** The same URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}
