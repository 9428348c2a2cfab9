// Runs once before the test files (tap's `before`): builds a migrated PGlite image, and
// with DATABASE_URL a migrated template database, so each test starts from a fresh copy
// in well under a second instead of migrating again (test/helper.ts reuses them within a
// process). On Postgres it also drops the test databases of test processes that died.
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import postgres from 'postgres'
import { openDatabase } from '../db/client.js'
import {
  migrationsHash,
  pgliteDirTemplatePath,
  pgliteImagePath,
  templateDatabaseName,
  withDatabase,
} from './fixtures.js'

const imagePath = await pgliteImagePath()
if (!existsSync(imagePath)) {
  const handle = await openDatabase({ memory: true })
  await handle.migrate()
  const image = await handle.dumpImage!()
  await handle.close()
  await mkdir(path.dirname(imagePath), { recursive: true })
  const tmp = `${imagePath}.${process.pid}.tmp`
  await writeFile(tmp, Buffer.from(await image.arrayBuffer()))
  await rename(tmp, imagePath)
}

// The same on disk, as a server's first start leaves it (test/fixtures.ts migratedDataDir).
const dirTemplate = await pgliteDirTemplatePath()
if (!existsSync(dirTemplate)) {
  const building = `${dirTemplate}.${process.pid}.tmp`
  await rm(building, { recursive: true, force: true })
  const handle = await openDatabase({ dataDir: building })
  await handle.migrate()
  await handle.close()
  await rename(building, dirTemplate)
}

const url = process.env.DATABASE_URL
if (url) {
  const template = await templateDatabaseName()
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${template}`
    if (!exists) {
      const building = `${template}_build_${process.pid}`
      await admin.unsafe(`create database "${building}"`)
      const handle = await openDatabase({ url: withDatabase(url, building), maxConnections: 1 })
      await handle.migrate()
      await handle.close()
      await admin.unsafe(`alter database "${building}" rename to "${template}"`)
    }
    // A test process keeps up to two emptied databases for its next tests and drops them at its
    // end; one killed (a time limit, Ctrl-C) leaves them. Named by the process's id (test/helper.ts).
    const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname)
    const leftovers = local
      ? await admin<Array<{ datname: string }>>`select datname from pg_database d
          where datname ~ '^workroom_test_[0-9]+_[0-9a-f]+$'
            and not exists (select from pg_stat_activity a where a.datname = d.datname)`
      : []
    for (const { datname } of leftovers) {
      const pid = Number(/^workroom_test_(\d+)_/.exec(datname)?.[1])
      if (!isAlive(pid)) await admin.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => {})
    }
  } finally {
    await admin.end({ timeout: 5 })
  }
}

/** Whether a process of this machine runs with that id. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

// Which migrations the images hold: `npm test` hands it to every test file.
process.stdout.write(`migrations ${await migrationsHash()}\n`)
