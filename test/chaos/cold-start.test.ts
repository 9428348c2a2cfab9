// Chaos: two instances start at the same moment on an empty database and an empty bucket
// (the first deployment, or `--scale server=2` on a fresh install). Both come up: the
// migrations run once under a lock, and the instance that loses the bucket race uses the
// bucket the other made.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import postgres from 'postgres'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { startS3rver } from '../../server/plugins/storage/storage.s3rver-fixture.js'
import { withDatabase } from '../fixtures.js'

t.setTimeout(120_000)

t.test(
  'two instances starting together on an empty database and bucket both come up',
  { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (the Postgres run of CI)' },
  async (t) => {
    const url = process.env.DATABASE_URL!
    const name = `workroom_cold_${randomBytes(5).toString('hex')}`
    const admin = postgres(url, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database "${name}"`)
    t.teardown(async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end({ timeout: 5 })
    })
    const s3 = await startS3rver(t)
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workroom-cold-'))
    t.teardown(() => rm(dataDir, { recursive: true, force: true }))
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SCHEDULER_INTERVAL_MS: '0',
      DATABASE_URL: withDatabase(url, name),
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_REGION: s3.region,
      S3_BUCKET: `cold-${randomBytes(4).toString('hex')}`,
    })

    const started = performance.now()
    const results = await Promise.allSettled([buildApp(config), buildApp(config)])
    const apps = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    t.teardown(() => Promise.all(apps.map((app) => app.close())))
    t.same(
      results.map((result) => (result.status === 'rejected' ? String(result.reason) : 'up')),
      ['up', 'up'],
      'both instances started',
    )
    await Promise.all(apps.map((app) => app.ready()))
    const ms = performance.now() - started
    for (const [i, app] of apps.entries()) {
      const ready = await app.inject({ method: 'GET', url: '/readyz' })
      t.equal(ready.statusCode, 200, `instance ${i + 1} is ready: ${ready.body}`)
    }
    const inNew = postgres(withDatabase(url, name), { max: 1, onnotice: () => {} })
    const migrations = await inNew.unsafe<Array<{ n: number; distinct: number }>>(
      `select count(*)::int as n, count(distinct hash)::int as distinct from drizzle.__drizzle_migrations`,
    )
    await inNew.end({ timeout: 5 })
    const migrated = migrations[0]!
    t.equal(migrated.n, migrated.distinct, `each migration recorded once (${migrated.n})`)
    const registered = await apps[0]!.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'first@example.com', password: 'correct horse battery staple', name: 'First' },
    })
    t.equal(registered.statusCode, 201)
    const login = await apps[1]!.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'first@example.com', password: 'correct horse battery staple' },
    })
    t.equal(login.statusCode, 200, 'the other instance serves the same data')
    t.comment(`cold start of two instances together: both up in ${ms.toFixed(0)} ms, ${migrated.n} migrations once`)
  },
)
