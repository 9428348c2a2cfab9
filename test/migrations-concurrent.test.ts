// Several instances starting together on one empty Postgres database: each applies the
// migrations at start-up, and the advisory lock in db/client.ts makes them apply once,
// one instance after the other, with no instance failing. Needs DATABASE_URL (CI sets it).
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import postgres from 'postgres'
import t from 'tap'
import { migrationsFolder, openDatabase } from '../db/client.js'
import { withDatabase } from './fixtures.js'

const url = process.env.DATABASE_URL
const INSTANCES = 4

t.test(
  `${INSTANCES} instances migrating one empty Postgres database at once apply each migration once`,
  { skip: url ? false : 'needs DATABASE_URL (CI runs it)', timeout: 120_000 },
  async (t) => {
    const admin = postgres(url!, { max: 1, onnotice: () => {} })
    const name = `workroom_migrate_${randomUUID().replaceAll('-', '')}`
    await admin.unsafe(`create database "${name}"`)
    t.teardown(async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end({ timeout: 5 })
    })
    const journal = JSON.parse(await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
      entries: unknown[]
    }

    const handles = await Promise.all(
      Array.from({ length: INSTANCES }, () => openDatabase({ url: withDatabase(url!, name), maxConnections: 1 })),
    )
    t.teardown(() => Promise.all(handles.map((handle) => handle.close())))
    const started = Date.now()
    const results = await Promise.allSettled(handles.map((handle) => handle.migrate()))
    t.comment(`${INSTANCES} instances migrated in ${Date.now() - started} ms`)
    t.same(
      results.map((result) => result.status),
      Array(INSTANCES).fill('fulfilled'),
      'no instance fails',
      { errors: results.map((result) => (result.status === 'rejected' ? String(result.reason) : null)) },
    )
    const [applied] = await handles[0]!.query('select count(*)::int as n from drizzle.__drizzle_migrations', [])
    t.equal(applied?.n, journal.entries.length, `each of the ${journal.entries.length} migrations is recorded once`)
  },
)
