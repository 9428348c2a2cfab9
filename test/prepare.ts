// Runs once before the test files (tap's `before`): builds a migrated PGlite image, and
// with DATABASE_URL a migrated template database, so each test starts from a fresh copy
// in well under a second instead of migrating again.
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
  const { PGlite } = await import('@electric-sql/pglite')
  void PGlite
  const client = (handle.db as unknown as { $client: import('@electric-sql/pglite').PGlite }).$client
  const image = await client.dumpDataDir('gzip')
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
  } finally {
    await admin.end({ timeout: 5 })
  }
}

// Which migrations the images hold: `npm test` hands it to every test file.
process.stdout.write(`migrations ${await migrationsHash()}\n`)
