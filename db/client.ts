import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { sql, type ExtractTablesWithRelations, type SQL } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { withPreparedStatements } from './pglite-statements.js'

type NoSchema = Record<string, never>
/**
 * Drizzle over either driver; modules see only this. Built without the schema: the code uses
 * the query builder, never drizzle's relational queries (`db.query.*`), and a drizzle given
 * the schema builds a relational query builder for each of its tables in every transaction
 * and savepoint it opens (~3% of a money request's CPU on PGlite).
 */
export type Database = PgDatabase<PgQueryResultHKT>
export type Transaction = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>
/** Repositories accept either, so a use case can run them inside its transaction. */
export type Executor = Database | Transaction

/** Rows of a raw query through drizzle: postgres-js answers an array, PGlite `{ rows }`. */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

/**
 * A list as one array parameter, in Postgres' array text, which both drivers bind alike (one
 * parameter, not one per value). Only for values that need no quoting (UUIDs, numbers, hex or
 * base64url hashes, ISO times): one that would change the array's text is refused.
 */
export function arrayText(values: ReadonlyArray<string | number>): string {
  if (values.some((value) => value === '' || /[",{}\\\s]/.test(String(value))))
    throw new Error('arrayText: a value that needs quoting')
  return `{${values.join(',')}}`
}

/** Where the migrations are beside this file in the source tree; the compiled server passes its own. */
export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

export interface DatabaseHandle {
  db: Database
  driver: 'pglite' | 'postgres'
  /**
   * Runs one fixed statement, prepared once, with positional parameters (JS arrays become
   * Postgres arrays). For the few hot paths where drizzle's per-call query building shows:
   * it doubled the realtime engine's commit time and tripled its tail.
   */
  query(text: string, params: unknown[]): Promise<Array<Record<string, unknown>>>
  /** Applies pending migrations (safe to call from several instances at once on Postgres). */
  migrate(): Promise<void>
  ping(): Promise<void>
  close(): Promise<void>
  /** PGlite only: the whole database as a gzipped image (test fixtures start from it). */
  dumpImage?(): Promise<Blob>
}

export type OpenDatabaseOptions = (
  | { url: string; maxConnections?: number; onNotice?: (message: string) => void }
  | { dataDir: string }
  /** An in-memory PGlite, optionally from a `dumpDataDir()` image (test fixtures). */
  | { memory: true; loadDataDir?: Blob | File }
) & {
  /**
   * The folder `migrate()` applies (default: `migrationsFolder`, beside this file). The bundled
   * server passes dist/db/migrations: bundled code cannot find it from its own location.
   */
  migrationsFolder?: string
}

/**
 * PGlite's Postgres runs inside this process, so its shared buffers are this process's memory,
 * touched once and never given back: 16 MB instead of Postgres' 128 MB default takes the idle
 * server from ~375 to ~260 MiB RSS (measured: docs/performance.md). The table files are real
 * files, so the OS page cache still holds what the buffers do not.
 */
const pgliteStartParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const migrations = options.migrationsFolder ?? migrationsFolder
  if ('url' in options) return openPostgres(options.url, options.maxConnections ?? 10, migrations)
  let client: PGlite
  if ('dataDir' in options) {
    await mkdir(options.dataDir, { recursive: true })
    client = await PGlite.create({ dataDir: options.dataDir, startParams: pgliteStartParams })
  } else {
    client = await PGlite.create(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {})
  }
  const statements = withPreparedStatements(client)
  const db = drizzlePglite(statements as PGlite) as unknown as Database
  return {
    db,
    driver: 'pglite',
    async query(text, params) {
      return (await statements.query<Record<string, unknown>>(text, params)).rows
    },
    async migrate() {
      const before = await appliedMigrations(async (text) => (await client.query(text)).rows)
      await migratePglite(db as never, { migrationsFolder: migrations })
      if ((await appliedMigrations(async (text) => (await client.query(text)).rows)) !== before)
        await client.exec('analyze')
    },
    async ping() {
      await client.query('select 1')
    },
    async close() {
      if (!client.closed) await client.close()
    },
    async dumpImage() {
      return client.dumpDataDir('gzip')
    },
  }
}

function openPostgres(url: string, max: number, migrations: string): DatabaseHandle {
  // A database that cannot be reached fails a request within 2 s (a 503), instead of the
  // driver's 30 s connect timeout.
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 2,
    // Reconnect attempts wait at most a second (the driver's default grows to 20 s, and a
    // query waits for it: a request would hang long after the database is back).
    backoff: (retries: number) => Math.min(0.25 * retries, 1),
    connection: { application_name: 'workroom' },
  })
  const db = drizzlePostgres(preparedAlways(client)) as unknown as Database
  return {
    db,
    driver: 'postgres',
    async query(text, params) {
      return [...(await client.unsafe<Array<Record<string, unknown>>>(text, params as never[], { prepare: true }))]
    },
    async migrate() {
      // One connection holds an advisory lock so that instances starting together
      // apply the migrations once, one after the other.
      const lockClient = postgres(url, { max: 1, onnotice: () => {} })
      try {
        await lockClient`select pg_advisory_lock(727274)`
        const before = await appliedMigrations((text) => lockClient.unsafe(text))
        await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder: migrations })
        // Fresh tables have no statistics: plan with real ones from the first request.
        if ((await appliedMigrations((text) => lockClient.unsafe(text))) !== before) await lockClient`analyze`
        await lockClient`select pg_advisory_unlock(727274)`
      } finally {
        await lockClient.end({ timeout: 5 })
      }
    },
    async ping() {
      await db.execute(sql`select 1`)
    },
    async close() {
      await client.end({ timeout: 5 })
    },
  }
}

/**
 * The configured database (Postgres at `url`, else PGlite in `dataDir`), opened with its
 * pending migrations applied; closed again if they fail.
 */
export async function openMigratedDatabase(options: {
  url: string | null
  dataDir: string
  migrationsFolder?: string
}): Promise<DatabaseHandle> {
  const where = options.url ? { url: options.url } : { dataDir: options.dataDir }
  const handle = await openDatabase({ ...where, migrationsFolder: options.migrationsFolder })
  try {
    await handle.migrate()
  } catch (err) {
    await handle.close()
    throw err
  }
  return handle
}

/** How many migrations the database has applied (0 before the first). */
async function appliedMigrations(query: (text: string) => Promise<readonly unknown[]>): Promise<number> {
  const [table] = (await query(`select to_regclass('drizzle.__drizzle_migrations') is not null as present`)) as Array<{
    present: boolean
  }>
  if (!table?.present) return 0
  const [row] = (await query('select count(*) as n from drizzle.__drizzle_migrations')) as Array<{ n: number | string }>
  return Number(row?.n ?? 0)
}

type Sql = ReturnType<typeof postgres>

/**
 * Every query drizzle sends through postgres.js becomes a prepared statement, kept per
 * connection by its text, instead of an unnamed one parsed and planned on every call: drizzle
 * builds the same text for the same query shape, so Postgres parses and plans each shape once
 * per connection. (Connections are recycled after 30-60 minutes, which bounds the cache.)
 */
function preparedAlways<T extends Sql>(sql: T): T {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe')
        return (text: string, params?: unknown[], options?: { prepare?: boolean }) =>
          target.unsafe(text, params as never, { ...options, prepare: true })
      if (property === 'begin' || property === 'savepoint')
        return (...args: unknown[]) => {
          const body = args.pop() as (inner: Sql) => unknown
          const original = Reflect.get(target, property) as (...a: unknown[]) => unknown
          return original(...args, (inner: Sql) => body(preparedAlways(inner)))
        }
      return Reflect.get(target, property, receiver) as unknown
    },
  })
}
