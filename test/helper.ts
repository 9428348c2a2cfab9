import { randomBytes } from 'node:crypto'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import postgres from 'postgres'
import tap from 'tap'
import { openDatabase, type DatabaseHandle } from '../db/client.js'
import { buildApp, type AppDependencies } from '../server/app.js'
import { createTestClock, type TestClock } from '../server/clock.js'
import { loadConfig, type Config } from '../server/config.js'
import { pgliteImagePath, templateDatabaseName, withDatabase } from './fixtures.js'

/** The part of tap's Test that the helper uses. */
interface TestContext {
  teardown(fn: () => unknown): void
}

export interface TestApp {
  app: FastifyInstance
  clock: TestClock
  config: Readonly<Config>
  database: DatabaseHandle
  /** The Postgres URL of this test's database, or null on PGlite. */
  databaseUrl: string | null
  dataDir: string
  /** `app.inject` with JSON in and out and an optional bearer token. */
  call(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse & { json<T = any>(): T }>
  /** Registers an account and returns its id, token and email. */
  register(name?: string): Promise<TestUser>
}

export interface TestUser {
  id: string
  token: string
  email: string
  password: string
  name: string
}

/**
 * A database for one test as migrations leave it: one an earlier test of this process handed
 * back emptied, or a new one (a PGlite loaded from the migrated image by default, or with
 * DATABASE_URL a Postgres database cloned from the migrated template).
 */
export async function freshDatabase(): Promise<{
  handle: DatabaseHandle
  url: string | null
  dispose(): Promise<void>
}> {
  const url = process.env.DATABASE_URL
  if (url) {
    idlePostgres ??= idlePool((name) => drop(url, name))
    const pool = idlePostgres
    const name = pool.take() ?? (await databaseFromTemplate(url))
    const handle = await openDatabase({ url: withDatabase(url, name), maxConnections: 10 })
    return {
      handle,
      url: withDatabase(url, name),
      async dispose() {
        await handle.close()
        // A copy of the template and its drop cost Postgres 70-500 ms (the copy is written to its WAL).
        await pool.giveBack(name, () => emptiedPostgres(url, name))
      },
    }
  }
  // Starting PGlite from the image costs about a second, emptying its tables a few milliseconds.
  const handle = idlePglite.take() ?? (await openPglite())
  return { handle, url: null, dispose: () => idlePglite.giveBack(handle, () => emptied(handle)) }
}

/**
 * Databases finished tests handed back, emptied, for the next tests of this process (under
 * `npm test` the next file's too). `giveBack` keeps one when fewer than two wait and `reset`
 * brings it back to the migrated state; otherwise it is discarded. The idle ones are
 * discarded when the process's tests are done (a root teardown: a PGlite loaded from an image
 * keeps the process alive, and the teardown also lets tap end the root when idle).
 */
function idlePool<T>(discard: (item: T) => Promise<unknown>) {
  const idle: T[] = []
  let discardingAtEnd = false
  return {
    take: (): T | undefined => idle.pop(),
    async giveBack(item: T, reset: () => Promise<boolean>): Promise<void> {
      if (idle.length >= 2 || !(await reset())) {
        await discard(item)
        return
      }
      if (!discardingAtEnd) rootTest().teardown(() => Promise.all(idle.splice(0).map(discard)))
      discardingAtEnd = true
      idle.push(item)
    },
  }
}

/** Postgres databases (their names) a finished test handed back, for DATABASE_URL's server. */
let idlePostgres: ReturnType<typeof idlePool<string>> | undefined

/** A new database copied from the migrated template. */
async function databaseFromTemplate(url: string): Promise<string> {
  // The process's id in the name: test/prepare.ts drops the ones a process left behind when it died.
  const name = `workroom_test_${process.pid}_${randomBytes(6).toString('hex')}`
  const template = await templateDatabaseName()
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database "${name}" template "${template}"`)
        return name
      } catch (err) {
        // Two copies of one template at the same instant can collide; try again shortly.
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100))
      }
    }
  } finally {
    await admin.end({ timeout: 5 })
  }
}

async function drop(url: string, name: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`)
  } finally {
    await admin.end({ timeout: 5 })
  }
}

/**
 * Brings a test's Postgres database back to the template, as `emptied` does for PGlite, in one
 * transaction: the tables holding rows emptied in replica mode, sequences restarted. False
 * when that fails, or when anything else is still connected (a second app the test opened on
 * the same database, a server process): then it is dropped, as before.
 */
async function emptiedPostgres(url: string, name: string): Promise<boolean> {
  const sql = postgres(withDatabase(url, name), { max: 1, onnotice: () => {} })
  try {
    const [others] = await sql`select count(*)::int as n from pg_stat_activity
                                where datname = current_database() and pid <> pg_backend_pid()`
    if (Number(others?.n) !== 0) return false
    const query = await nonEmptyTablesQuery('postgres', (text) => sql.unsafe(text))
    await sql.begin(async (tx) => {
      const used = await tx.unsafe(query)
      await tx.unsafe('set local session_replication_role = replica')
      for (const { name: table } of used) await tx.unsafe(`delete from ${String(table)}`)
      await tx.unsafe(restartSequences)
    })
    return true
  } catch {
    return false
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/**
 * The process's root test, for what outlives one test file: a teardown there runs when the
 * last file of the process is done (under `npm test` several files share a process).
 */
export function rootTest(): { teardown(fn: () => unknown): void } {
  let test: { parent?: unknown; teardown(fn: () => unknown): void } = tap
  while (test.parent) test = test.parent as typeof test
  return test
}

/** PGlite databases a finished test handed back, already emptied. */
const idlePglite = idlePool((handle: DatabaseHandle) => handle.close())
let pgliteImage: Promise<Blob> | undefined

async function openPglite(): Promise<DatabaseHandle> {
  pgliteImage ??= pgliteImagePath().then(async (file) => new Blob([await readFile(file)]))
  return openDatabase({ memory: true, loadDataDir: await pgliteImage })
}

/** SQL that builds a query listing the tables that hold rows (one union over every table). */
const tablesWithRows = `select string_agg(format('select %L as name where exists (select from %I.%I)', format('%I.%I', schemaname, tablename), schemaname, tablename), ' union all ') as text
  from pg_tables where schemaname not in ('pg_catalog', 'information_schema', 'drizzle')`

/** Every sequence a test drew from back at its start. */
const restartSequences = `select setval(format('%I.%I', schemaname, sequencename), start_value, false)
  from pg_sequences where last_value is not null and schemaname not in ('pg_catalog', 'information_schema', 'drizzle')`

/**
 * A query that lists the tables holding rows: the tables of the migrated image or template,
 * listed once a process for each kind of database (the same tables in every copy). The query
 * is built in SQL (format's %L quotes the name as a literal); a failed attempt is forgotten,
 * so that the next test builds it again rather than reuse the failure.
 */
const nonEmptyTables = new Map<'pglite' | 'postgres', Promise<string>>()

function nonEmptyTablesQuery(
  kind: 'pglite' | 'postgres',
  run: (text: string) => Promise<ReadonlyArray<Record<string, unknown>>>,
): Promise<string> {
  let query = nonEmptyTables.get(kind)
  if (!query) {
    query = run(tablesWithRows).then(([row]) => String(row?.text))
    query.catch(() => nonEmptyTables.delete(kind))
    nonEmptyTables.set(kind, query)
  }
  return query
}

/**
 * Brings a PGlite database back to the migrated image: every table emptied, sequences
 * restarted, session state dropped. False when that fails (the test broke it): close it.
 *
 * Only the tables a test wrote to are emptied, with DELETE (about a millisecond each): a
 * TRUNCATE of all 59 tables cost ~80 ms of CPU a test, more than building the app. Rows a
 * DELETE leaves dead are vacuumed when there were many, so reuse does not grow the tables.
 */
async function emptied(handle: DatabaseHandle): Promise<boolean> {
  try {
    const used = await handle.query(await nonEmptyTablesQuery('pglite', (text) => handle.query(text, [])), [])
    // The ledger's append-only triggers refuse DELETE, and foreign keys would order the
    // deletes: replica mode skips both (every table is emptied, so no reference is left dangling).
    await handle.query('set session_replication_role = replica', [])
    for (const { name } of used) {
      const [row] = await handle.query(
        `with gone as (delete from ${String(name)} returning 1) select count(*)::int as deleted from gone`,
        [],
      )
      if (Number(row?.deleted) > 500) await handle.query(`vacuum ${String(name)}`, [])
    }
    await handle.query(restartSequences, [])
    // Session settings (the replica mode too), prepared statements, advisory locks, listeners.
    await handle.query('discard all', [])
    return true
  } catch {
    return false
  }
}

export async function build(
  t: TestContext,
  options: {
    env?: Record<string, string>
    clock?: TestClock
    deps?: Omit<AppDependencies, 'clock' | 'database'>
    /**
     * Boot a second app on another app's database: a restart (after closing the first) or a
     * second instance. On Postgres it gets its own connections; PGlite has one, so it shares it.
     */
    sameDatabaseAs?: TestApp
  } = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workroom-test-'))
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SCHEDULER_INTERVAL_MS: '0',
    // Tests send the mail outbox themselves (`app.mail.drain()`).
    MAIL_POLL_MS: '0',
    // Fixtures create accounts in bulk from one address, as no person does.
    REGISTRATIONS_PER_HOUR: '100000',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...(process.env.WEB_DIR ? { WEB_DIR: process.env.WEB_DIR } : {}),
    ...options.env,
  })
  const clock = options.clock ?? createTestClock()
  const shared = options.sameDatabaseAs
  const {
    handle: database,
    url: databaseUrl,
    dispose,
  } = shared
    ? shared.databaseUrl
      ? await (async () => {
          const handle = await openDatabase({ url: shared.databaseUrl!, maxConnections: 10 })
          return { handle, url: shared.databaseUrl, dispose: () => handle.close() }
        })()
      : { handle: shared.database, url: null, dispose: async () => {} }
    : await freshDatabase()
  const app = await buildApp(config, { clock, database, ...options.deps })
  t.teardown(async () => {
    // The app first (it stops using the database), then the database, then the files.
    await app.close()
    await dispose()
    await rm(dataDir, { recursive: true, force: true })
  })
  await app.ready()

  // Each test app is its own client address: per-IP rate limits counted in a shared Redis
  // stay apart between tests running at the same time.
  const clientIp = `127.${randomBytes(3).join('.')}`
  const call: TestApp['call'] = async ({ token, headers, ...rest }) => {
    const response = await app.inject({
      remoteAddress: clientIp,
      ...rest,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    })
    return response as LightMyRequestResponse & { json<T = any>(): T }
  }

  let counter = 0
  const register: TestApp['register'] = async (name) => {
    counter++
    const who = name ?? `User ${counter}`
    const email = `${who.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${randomBytes(3).toString('hex')}@example.com`
    const password = 'correct horse battery staple'
    const response = await call({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password, name: who },
    })
    if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`)
    const body = response.json()
    return { id: body.user.id, token: body.token, email, password, name: who }
  }

  return { app, clock, config, database, databaseUrl, dataDir, call, register }
}
