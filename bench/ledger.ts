// bench/ledger: ledger transfers per second with every check on (accounts locked in id
// order with SELECT ... FOR UPDATE, overdraft checks, append-only entries, balances moved by
// trigger, CHECK constraints, the deferred "transfer balances" trigger at commit), next to
// single-row INSERTs into a plain table, measured in the same run on the same Postgres.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/ledger.ts [--seconds 5] [--runs 3] [--concurrency 1,8]
//
// Each figure is the median of --runs runs of --seconds each. The ratio ledger/plain is the
// figure that travels between machines.
import { randomBytes, randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { openDatabase, type DatabaseHandle } from '../db/client.js'
import { systemClock } from '../server/clock.js'
import { randomIds } from '../server/ids.js'
import { accounts, createLedgerService } from '../server/modules/ledger/index.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,8' },
  },
})
const seconds = Number(values.seconds)
const runs = Number(values.runs)
const levels = values.concurrency.split(',').map(Number)
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const WALLETS = 1000
const CURRENCY = 'USD'

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** Runs `op` from `workers` loops for `seconds`; returns operations per second (and this process's CPU share). */
async function measure(workers: number, op: () => Promise<void>): Promise<number> {
  const end = Date.now() + seconds * 1000
  let count = 0
  const cpu = process.cpuUsage()
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        await op()
        count++
      }
    }),
  )
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9
  const used = process.cpuUsage(cpu)
  lastCpuShare = (used.user + used.system) / 1e6 / elapsed
  return count / elapsed
}

let lastCpuShare = 0
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  const database = `workroom_bench_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${database}"`)
  let handle: DatabaseHandle | undefined
  try {
    handle = await openDatabase({ url: withDatabase(adminUrl, database), maxConnections: Math.max(...levels) })
    await handle.migrate()
    const db = handle.db
    const ledger = createLedgerService({ clock: systemClock, ids: randomIds })
    await db.execute(
      sql`create table bench_plain (id uuid primary key, amount bigint not null, created_at timestamptz not null)`,
    )

    // Seed: 1,000 client wallets and 1,000 milestone holds with money in them.
    const wallets = Array.from({ length: WALLETS }, () => randomUUID())
    const holds = Array.from({ length: WALLETS }, () => randomUUID())
    const freelancers = Array.from({ length: 100 }, () => randomUUID())
    for (const [index, owner] of [...wallets, ...holds].entries()) {
      const ref = index < WALLETS ? accounts.wallet(owner, CURRENCY) : accounts.hold(owner, CURRENCY)
      await db.transaction((tx) =>
        ledger.transfer(tx, {
          kind: 'seed',
          currency: CURRENCY,
          reference: 'bench',
          actorId: null,
          legs: [
            { account: accounts.world(CURRENCY), amount: -1_000_000_000n },
            { account: ref, amount: 1_000_000_000n },
          ],
        }),
      )
    }
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!

    const workloads: Array<{ name: string; op: () => Promise<void> }> = [
      {
        name: 'plain INSERT, one row per commit',
        op: async () => {
          await db.execute(
            sql`insert into bench_plain (id, amount, created_at) values (${randomUUID()}, ${Math.floor(Math.random() * 1e6)}, now())`,
          )
        },
      },
      {
        name: 'ledger transfer, 2 legs (wallet -> wallet, 1,000 wallets)',
        op: async () => {
          const from = pick(wallets)
          let to = pick(wallets)
          while (to === from) to = pick(wallets)
          await db.transaction((tx) =>
            ledger.transfer(tx, {
              kind: 'bench',
              currency: CURRENCY,
              reference: 'bench',
              actorId: null,
              legs: [
                { account: accounts.wallet(from, CURRENCY), amount: -100n },
                { account: accounts.wallet(to, CURRENCY), amount: 100n },
              ],
            }),
          )
        },
      },
      {
        name: 'ledger release, 3 legs (hold -> earnings + the one fee account)',
        op: async () => {
          await db.transaction((tx) =>
            ledger.transfer(tx, {
              kind: 'bench',
              currency: CURRENCY,
              reference: 'bench',
              actorId: null,
              legs: [
                { account: accounts.hold(pick(holds), CURRENCY), amount: -1_000n },
                { account: accounts.earnings(pick(freelancers), CURRENCY), amount: 900n },
                { account: accounts.fees(CURRENCY), amount: 100n },
              ],
            }),
          )
        },
      },
    ]

    const results: Array<{ name: string; workers: number; perSecond: number }> = []
    for (const workers of levels) {
      for (const workload of workloads) {
        const samples: number[] = []
        const cpu: number[] = []
        for (let run = 0; run < runs; run++) {
          samples.push(await measure(workers, workload.op))
          cpu.push(lastCpuShare)
        }
        const perSecond = median(samples)
        results.push({ name: workload.name, workers, perSecond })
        process.stdout.write(
          `${workload.name}, ${workers} connection(s): ${Math.round(perSecond)}/s (runs: ${samples.map(Math.round).join(', ')}; bench process CPU ${cpu.map((c) => `${Math.round(c * 100)}%`).join(', ')})\n`,
        )
      }
    }

    const report = await ledger.verify(db)
    if (!report.ok) throw new Error('the ledger does not verify after the bench')
    process.stdout.write(
      `\nledger verified: ${report.currencies.map((c) => `${c.currency} ${c.transfers} transfers, sum ${c.balanceSum}`).join('; ')}\n\n`,
    )
    process.stdout.write('| workload | connections | per second | vs plain INSERT |\n|---|---|---|---|\n')
    for (const row of results) {
      const plain = results.find((r) => r.workers === row.workers && r.name.startsWith('plain'))!
      process.stdout.write(
        `| ${row.name} | ${row.workers} | ${Math.round(row.perSecond).toLocaleString('en-US')} | ${(row.perSecond / plain.perSecond).toFixed(2)}x |\n`,
      )
    }
  } finally {
    await handle?.close()
    await admin.unsafe(`drop database if exists "${database}" with (force)`)
    await admin.end({ timeout: 5 })
  }
}

await main()
