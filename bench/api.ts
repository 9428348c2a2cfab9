// bench/api: the API's hot requests, each as a ratio against its baseline measured in the
// same run on the same machine (issue 17's table), on embedded PGlite and on Postgres.
//
//   npm run bench:api -- [--drivers pglite,postgres] [--seconds 5] [--runs 3] [--connections 10] [--jobs 500]
//                        [--only search,me,messages,deposits]   (some rows; their baselines are always measured)
//   (Postgres: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test, the default; a fresh database is made)
//
// The server (`server/main.ts`, request logging off) runs in its own process on a fresh
// database; the bare Fastify baseline (`bench/bare-server.ts`) in another; autocannon and the
// other loops run here. Every API request carries a bearer token, like a real client.
// Baselines: API reads against the bare route; writes (messages, deposits) against single-row
// INSERTs, one per commit, into a plain table of the same engine from 10 connections (Postgres:
// the bench database; PGlite: a fresh data dir in this process, PGlite has one connection).
// Each row is measured --runs times, interleaved with its baseline; the ratio is per run and
// the table shows the median and the range.
import { randomBytes, randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import postgres from 'postgres'
import { openDatabase } from '../db/client.js'
import { call, measureLoop, setUp, type Driver, type Fixture } from './api.setup.js'
import { startProcess } from './run-server.js'

const { values } = parseArgs({
  options: {
    drivers: { type: 'string', default: 'pglite,postgres' },
    seconds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    jobs: { type: 'string', default: '500' },
    only: { type: 'string', default: 'search,me,messages,deposits' },
  },
})
const only = new Set(values.only.split(','))
for (const name of only) {
  if (!['search', 'me', 'messages', 'deposits'].includes(name)) throw new Error(`--only: unknown row ${name}`)
}
const seconds = Number(values.seconds)
const runs = Number(values.runs)
const connections = Number(values.connections)
const jobs = Number(values.jobs)
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

type Row = { title: string; baseline: string; perRun: number[]; ratios: number[]; p99: number[]; errors: number }

async function cannon(options: autocannon.Options): Promise<{ rate: number; p99: number; errors: number }> {
  const result = await autocannon({ duration: seconds, connections, ...options })
  return { rate: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx }
}

/** Single-row INSERTs, one per commit, from `connections` loops: the write baseline. */
async function insertBaseline(fixture: Fixture): Promise<{ rate: number; close(): Promise<void> }> {
  const create =
    'create table if not exists bench_plain (id uuid primary key, body text not null, at timestamptz not null)'
  const insert = 'insert into bench_plain (id, body, at) values ($1, $2, now())'
  const body = 'Status update: the header layout is done.'
  if (fixture.databaseUrl) {
    const sql = postgres(fixture.databaseUrl, { max: connections, onnotice: () => {} })
    await sql.unsafe(create)
    const rate = await measureLoop(seconds, connections, async () => {
      await sql.unsafe(insert, [randomUUID(), body], { prepare: true })
    })
    return { rate, close: () => sql.end() }
  }
  const dataDir = `/tmp/workroom_bench_plain_${randomBytes(4).toString('hex')}`
  const handle = await openDatabase({ dataDir })
  await handle.query(create, [])
  const rate = await measureLoop(seconds, connections, async () => {
    await handle.query(insert, [randomUUID(), body])
  })
  return {
    rate,
    close: async () => {
      await handle.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

async function measureDriver(driver: Driver, bareUrl: string, port: number): Promise<Row[]> {
  process.stdout.write(`\n[${driver}] seeding ${jobs} jobs and 100 proposal threads...\n`)
  const fixture = await setUp(driver, { adminUrl, jobs, port })
  const auth = { authorization: `Bearer ${fixture.clientToken}` }
  const json = { ...auth, 'content-type': 'application/json' }
  const message = JSON.stringify({ body: 'Status update: the header layout is done.' })
  const rows: Row[] = []
  const row = (title: string, baseline: string) => {
    let found = rows.find((r) => r.title === title)
    if (!found) rows.push((found = { title, baseline, perRun: [], ratios: [], p99: [], errors: 0 }))
    return found
  }
  const record = (title: string, baseline: string, rate: number, base: number, p99 = NaN, errors = 0) => {
    const r = row(title, baseline)
    r.perRun.push(rate)
    r.ratios.push(rate / base)
    r.p99.push(p99)
    r.errors += errors
    process.stdout.write(`  ${title}: ${rate.toFixed(0)}/s (x${(rate / base).toFixed(4)} of ${baseline})\n`)
  }
  try {
    for (let run = 1; run <= runs; run++) {
      process.stdout.write(`[${driver}] run ${run} of ${runs}\n`)
      const bare = await cannon({ url: bareUrl })
      record('bare Fastify GET / (baseline)', 'bare', bare.rate, bare.rate, bare.p99)
      const reads: [string, string, string][] = [
        ['search', 'GET /api/v1/jobs?q=typescript react (authenticated)', '/api/v1/jobs?q=typescript%20react&limit=20'],
        [
          'search',
          'GET /api/v1/jobs?skills=postgres&sort=recent (authenticated)',
          '/api/v1/jobs?skills=postgres&sort=recent&limit=20',
        ],
        ['me', 'GET /api/v1/me', '/api/v1/me'],
      ]
      for (const [name, title, path] of reads) {
        if (!only.has(name)) continue
        const result = await cannon({ url: fixture.base + path, headers: auth })
        record(title, 'bare', result.rate, bare.rate, result.p99, result.errors)
      }
      if (!only.has('messages') && !only.has('deposits')) continue
      const inserts = await insertBaseline(fixture)
      await inserts.close()
      record('single-row INSERT, one per commit (baseline)', 'inserts', inserts.rate, inserts.rate)
      if (only.has('messages')) {
        let next = 0
        const many = await cannon({
          url: fixture.base,
          requests: [
            {
              method: 'POST',
              headers: json,
              body: message,
              setupRequest: (request) => ({
                ...request,
                path: `/api/v1/threads/${fixture.threadIds[next++ % fixture.threadIds.length]}/messages`,
              }),
            },
          ],
        })
        record('POST messages into 100 threads', 'inserts', many.rate, inserts.rate, many.p99, many.errors)
        const one = await cannon({
          url: `${fixture.base}/api/v1/threads/${fixture.threadIds[0]}/messages`,
          method: 'POST',
          headers: json,
          body: message,
        })
        record('POST messages into one thread', 'inserts', one.rate, inserts.rate, one.p99, one.errors)
      }
      if (only.has('deposits')) {
        const operator = { authorization: `Bearer ${fixture.operatorToken}` }
        const deposits = await measureLoop(seconds, connections, async () => {
          const deposit = await call(
            fixture.base,
            'POST',
            '/api/v1/wallet/deposits',
            { amount: 1000, currency: 'USD' },
            { ...auth, 'idempotency-key': randomUUID() },
          )
          await call(fixture.base, 'POST', `/api/v1/admin/deposits/${deposit.id}/confirm`, undefined, {
            ...operator,
            'idempotency-key': randomUUID(),
          })
        })
        record('deposit + confirm (2 requests, every ledger check)', 'inserts', deposits, inserts.rate)
      }
    }
  } finally {
    await fixture.stop()
  }
  return rows
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const range = (xs: number[], digits: number) =>
  xs.length > 1 ? `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}` : xs[0]!.toFixed(digits)

async function main() {
  const drivers = values.drivers.split(',') as Driver[]
  const port = 4100 + Math.floor(Math.random() * 500)
  const bare = await startProcess('bench/bare-server.ts', { PORT: String(port + 1) }, /listening/)
  const tables: string[] = []
  try {
    for (const driver of drivers) {
      const rows = await measureDriver(driver, `http://127.0.0.1:${port + 1}/`, port)
      const lines = [
        `\n${driver}: ${runs} runs of ${seconds} s, ${connections} connections, ${jobs} jobs, ${new Date().toISOString()}`,
        '| request | per second (median, range) | ratio to its baseline (median, range) | p99 ms (median) | non-2xx |',
        '|---|---|---|---|---|',
      ]
      for (const r of rows) {
        const p99 = r.p99.filter((x) => !Number.isNaN(x))
        lines.push(
          `| ${r.title} | ${median(r.perRun).toFixed(0)} (${range(r.perRun, 0)}) | ${
            r.baseline === 'bare' && r.title.startsWith('bare')
              ? '1'
              : `${(median(r.ratios) * 100).toFixed(2)}% (${range(
                  r.ratios.map((x) => x * 100),
                  2,
                )}%)`
          } of ${r.baseline} | ${p99.length ? median(p99) : '-'} | ${r.errors} |`,
        )
      }
      tables.push(lines.join('\n'))
      process.stdout.write(`${tables.at(-1)}\n`)
    }
  } finally {
    await bare.stop()
  }
  process.stdout.write(`\n${tables.join('\n')}\n`)
}

await main()
