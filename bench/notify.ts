// bench/notify: events per second through the notification path (one notification row per
// recipient, an email for each in the mail outbox, a delivery for each subscribed webhook
// endpoint in the webhook outbox, all in the event's transaction), next to the bare event (the
// same state change, without notifications), measured in the same run on the same Postgres.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/notify.ts [--seconds 5] [--runs 3] [--concurrency 1,8]
//
// The whole app is built in this process on a fresh, migrated database (no outbox drains: the
// bench measures what the event's transaction pays; sending is asynchronous). The state change
// is one milestone-like row moved to the next status (UPDATE ... RETURNING) in a transaction;
// the notified event does the same and calls notify() for its two parties, whose preference
// for money events is the default (email at once), each with one webhook endpoint, plus one
// instance-wide endpoint: 2 notifications, 2 mails, 3 webhook deliveries per event. Each figure
// is the median of --runs runs of --seconds each; the ratio is the figure that travels.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { openDatabase, type DatabaseHandle } from '../db/client.js'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { withDatabase } from '../test/fixtures.js'
import { measureLoop } from './api.setup.js'

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
const PAIRS = 200

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  const database = `workroom_bench_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${database}"`)
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workroom-bench-notify-'))
  let handle: DatabaseHandle | undefined
  try {
    handle = await openDatabase({ url: withDatabase(adminUrl, database), maxConnections: Math.max(...levels) + 2 })
    await handle.migrate()
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      REDIS_URL: '',
      SCHEDULER_INTERVAL_MS: '0',
      MAIL_POLL_MS: '0',
      WEBHOOK_POLL_MS: '0',
    })
    const app = await buildApp(config, { database: handle })
    await app.ready()
    const db = handle.db

    // Seed: 200 client/freelancer pairs, each person with a webhook endpoint for every event,
    // one instance-wide endpoint, and a milestone-like row per pair.
    await db.execute(
      sql`create table bench_milestones (id uuid primary key, client_id uuid not null, freelancer_id uuid not null, status int not null, updated_at timestamptz not null)`,
    )
    const now = new Date().toISOString()
    const pairs: Array<{ milestone: string; client: string; freelancer: string }> = []
    for (let i = 0; i < PAIRS; i++) {
      const [client, freelancer, milestone] = [randomUUID(), randomUUID(), randomUUID()]
      for (const [id, name] of [
        [client, `Client ${i}`],
        [freelancer, `Freelancer ${i}`],
      ] as const) {
        await db.execute(
          sql`insert into users (id, email, password_hash, name, created_at, updated_at) values (${id}, ${`${id}@example.com`}, 'x', ${name}, ${now}, ${now})`,
        )
        await db.execute(
          sql`insert into webhook_endpoints (id, owner_id, scope, url, event_types, secret, created_at, updated_at)
              values (${randomUUID()}, ${id}, 'user', 'https://hooks.example.com/in', ${'{*}'}, ${`whsec_${randomBytes(32).toString('base64url')}`}, ${now}, ${now})`,
        )
      }
      await db.execute(sql`insert into bench_milestones values (${milestone}, ${client}, ${freelancer}, 0, ${now})`)
      pairs.push({ milestone, client, freelancer })
    }
    await db.execute(
      sql`insert into webhook_endpoints (id, owner_id, scope, url, event_types, secret, created_at, updated_at)
          values (${randomUUID()}, ${pairs[0]!.client}, 'instance', 'https://ops.example.com/in', ${'{*}'}, 'whsec_ops', ${now}, ${now})`,
    )
    await db.execute(sql`analyze`)
    const pick = () => pairs[Math.floor(Math.random() * pairs.length)]!
    const stateChange = (tx: Parameters<Parameters<typeof db.transaction>[0]>[0], milestone: string) =>
      tx.execute(
        sql`update bench_milestones set status = status + 1, updated_at = now() where id = ${milestone} returning status`,
      )

    const workloads: Array<{ name: string; op: () => Promise<void> }> = [
      {
        name: 'bare event (the state change alone)',
        op: async () => {
          const { milestone } = pick()
          await db.transaction(async (tx) => {
            await stateChange(tx, milestone)
          })
        },
      },
      {
        name: 'notified event (+ 2 notifications, 2 mails, 3 webhook deliveries)',
        op: async () => {
          const { milestone, client, freelancer } = pick()
          const after: Array<() => unknown> = []
          await db.transaction(async (tx) => {
            await stateChange(tx, milestone)
            await app.notifications.notify(
              tx,
              {
                type: 'milestone.funded',
                userIds: [client, freelancer],
                subject: { kind: 'milestone', id: milestone },
                title: 'Acme funded “Design” (US$500.00)',
                link: `/contracts/${milestone}`,
                data: { amount: { amount: '50000', currency: 'USD' } },
              },
              { afterCommit: (fn) => void after.push(fn) },
            )
          })
          for (const fn of after) await fn()
        },
      },
    ]

    const results: Array<{ name: string; workers: number; perSecond: number; samples: number[] }> = []
    for (const workers of levels) {
      const samples = new Map(workloads.map((w) => [w.name, [] as number[]]))
      // Interleaved, so a change in the machine's load hits both alike.
      for (let run = 0; run < runs; run++)
        for (const workload of workloads)
          samples.get(workload.name)!.push(await measureLoop(seconds, workers, workload.op))
      for (const workload of workloads) {
        const list = samples.get(workload.name)!
        results.push({ name: workload.name, workers, perSecond: median(list), samples: list })
        process.stdout.write(
          `${workload.name}, ${workers} connection(s): ${Math.round(median(list))}/s (runs: ${list.map(Math.round).join(', ')})\n`,
        )
      }
    }
    const [counts] = (await db.execute(
      sql`select (select count(*) from notifications) as notifications, (select count(*) from mail_outbox) as mails,
                 (select count(*) from webhook_deliveries) as deliveries`,
    )) as unknown as Array<Record<string, string>>
    process.stdout.write(
      `\nwritten: ${counts?.notifications} notifications, ${counts?.mails} mails, ${counts?.deliveries} webhook deliveries\n\n`,
    )
    process.stdout.write('| workload | connections | events/s | vs bare event |\n|---|---|---|---|\n')
    for (const row of results) {
      const bare = results.find((r) => r.workers === row.workers && r.name.startsWith('bare'))!
      process.stdout.write(
        `| ${row.name} | ${row.workers} | ${Math.round(row.perSecond).toLocaleString('en-US')} | ${(row.perSecond / bare.perSecond).toFixed(2)}x |\n`,
      )
    }
    await app.close()
  } finally {
    await handle?.close()
    await rm(dataDir, { recursive: true, force: true })
    await admin.unsafe(`drop database if exists "${database}" with (force)`)
    await admin.end({ timeout: 5 })
  }
}

await main()
