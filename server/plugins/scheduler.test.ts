import { eq, sql } from 'drizzle-orm'
import t from 'tap'
import { deadlinesTable } from '../../db/schema/index.js'
import { build } from '../../test/helper.js'
import { DAY, MINUTE } from '../clock.js'

t.setTimeout(60_000)

t.test('a deadline runs once, when due, and survives a restart of the scheduler', async (t) => {
  const { app, clock } = await build(t)
  const ran: string[] = []
  app.scheduler.register('test.ping', async (deadline) => {
    ran.push(deadline.subject)
  })
  await app.scheduler.schedule({ kind: 'test.ping', subject: 'a', dueAt: new Date(clock.now().getTime() + DAY) })
  await app.scheduler.schedule({ kind: 'test.ping', subject: 'b', dueAt: new Date(clock.now().getTime() + 2 * DAY) })
  t.equal(await app.scheduler.runDue(), 0, 'nothing is due yet')
  clock.advance(DAY)
  t.equal(await app.scheduler.runDue(), 1)
  t.same(ran, ['a'])
  t.equal(await app.scheduler.runDue(), 0, 'a deadline runs once')

  await app.scheduler.cancel('test.ping', 'b')
  clock.advance(DAY)
  t.equal(await app.scheduler.runDue(), 0, 'a cancelled deadline never runs')

  await app.scheduler.schedule({ kind: 'test.ping', subject: 'a', dueAt: clock.now() })
  t.equal(await app.scheduler.runDue(), 1, 'scheduling the same subject again re-arms it')
  t.same(ran, ['a', 'a'])
})

t.test('a failing handler rolls back its work and is retried later', async (t) => {
  const { app, clock } = await build(t)
  let attempts = 0
  app.scheduler.register('test.flaky', async (deadline, tx) => {
    attempts++
    // Work done inside the transaction before the failure must vanish with it.
    await tx
      .update(deadlinesTable)
      .set({ payload: { touched: true } })
      .where(eq(deadlinesTable.id, deadline.id))
    if (attempts === 1) throw new Error('transient failure')
  })
  await app.scheduler.schedule({ kind: 'test.flaky', subject: 'x', dueAt: clock.now() })
  t.equal(await app.scheduler.runDue(), 0, 'the failed run does not count')
  const [row] = await app.db.select().from(deadlinesTable).where(eq(deadlinesTable.subject, 'x'))
  t.equal(row?.attempts, 1)
  t.equal(row?.lastError, 'transient failure')
  t.same(row?.payload, {}, 'the failed attempt left nothing behind')
  t.ok(row && row.dueAt > clock.now(), 'it is pushed back')
  clock.advance(2 * MINUTE)
  t.equal(await app.scheduler.runDue(), 1)
  t.equal(attempts, 2)
})

t.test('concurrent passes run each deadline exactly once', async (t) => {
  const { app, clock } = await build(t)
  let runs = 0
  app.scheduler.register('test.count', async (_deadline, tx) => {
    runs++
    await tx.execute(sql`select pg_sleep(0.01)`)
  })
  for (let i = 0; i < 20; i++)
    await app.scheduler.schedule({ kind: 'test.count', subject: String(i), dueAt: clock.now() })
  const counts = await Promise.all([app.scheduler.runDue(), app.scheduler.runDue(), app.scheduler.runDue()])
  t.equal(
    counts.reduce((a, b) => a + b, 0),
    20,
  )
  t.equal(runs, 20)
})

t.test(
  'two instances on one Postgres run each deadline exactly once (needs DATABASE_URL)',
  { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (CI runs it)' },
  async (t) => {
    const first = await build(t)
    const second = await build(t, { sameDatabaseAs: first, clock: first.clock })
    const runs: string[] = []
    for (const { app } of [first, second]) {
      app.scheduler.register('test.once', async (deadline, tx) => {
        runs.push(deadline.subject)
        await tx.execute(sql`select pg_sleep(0.005)`)
      })
    }
    for (let i = 0; i < 40; i++)
      await first.app.scheduler.schedule({ kind: 'test.once', subject: String(i), dueAt: first.clock.now() })
    const [a, b] = await Promise.all([first.app.scheduler.runDue(), second.app.scheduler.runDue()])
    t.equal(a + b, 40)
    t.equal(new Set(runs).size, 40)
    t.equal(runs.length, 40, 'no deadline ran twice')
  },
)

t.test('after-commit actions run only once the deadline committed', async (t) => {
  const { app, clock } = await build(t)
  const seen: string[] = []
  let fail = true
  app.scheduler.register('test.after', async (deadline, _tx, { afterCommit }) => {
    afterCommit(() => seen.push(`after ${deadline.subject}`))
    if (fail) throw new Error('rolled back')
  })
  await app.scheduler.schedule({ kind: 'test.after', subject: 'x', dueAt: clock.now() })
  await app.scheduler.runDue()
  t.same(seen, [], 'a rolled-back run triggers nothing')
  fail = false
  clock.advance(2 * MINUTE)
  await app.scheduler.runDue()
  t.same(seen, ['after x'])
})
