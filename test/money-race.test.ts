// Race: funded milestones, each hit by 8 concurrent approve (client) and refund (freelancer)
// requests. Exactly one wins per milestone, the rest answer 409, and every total is exact.
// LEDGER_RACE_MILESTONES sets the count (CI's Postgres pass: 1000); the default is small.
import { randomUUID } from 'node:crypto'
import { asc, isNotNull } from 'drizzle-orm'
import t from 'tap'
import { invoicesTable } from '../db/schema/index.js'
import { platformFee } from '../server/modules/ledger/index.js'
import { createMilestonesFromTerms } from '../server/modules/milestones/index.js'
import { createContract } from './fixtures/contract.js'
import { build } from './helper.js'
import { balances, depositConfirmed, idem, makeOperator, verifyLedger } from './money.js'

t.setTimeout(1_200_000)

const MILESTONES = Number(process.env.LEDGER_RACE_MILESTONES ?? 48)
const CONTENDERS = 8
const CONTRACTS = Math.min(8, MILESTONES)
/** Milestones raced at the same time (each with its 8 requests). */
const PARALLEL = 4

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++
        await work(items[index]!, index)
      }
    }),
  )
}

t.test(`${MILESTONES} funded milestones x ${CONTENDERS} concurrent approve/refund: one winner each`, async (t) => {
  // Hundreds of writes by one client within seconds, on purpose: the per-user write limit
  // (a 429 before any money moves) would stand in for the race this test is about.
  const ctx = await build(t, { env: { WRITES_PER_MINUTE: '100000' } })
  const { call } = ctx
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Cleo')
  const freelancers = await Promise.all(Array.from({ length: CONTRACTS }, (_, i) => ctx.register(`Fred ${i}`)))
  const due = new Date(ctx.clock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10)

  // Fixture: contracts whose milestones come from terms (the binding hook's function, called directly).
  const milestones: Array<{ id: string; amount: number; freelancer: number }> = []
  for (let c = 0; c < CONTRACTS; c++) {
    const count = Math.floor(MILESTONES / CONTRACTS) + (c < MILESTONES % CONTRACTS ? 1 : 0)
    const amounts = Array.from({ length: count }, () => 1_000 + Math.floor(Math.random() * 99_000))
    const { contractId } = await createContract(ctx.app, ctx.clock, {
      clientId: client.id,
      freelancerId: freelancers[c]!.id,
    })
    await ctx.app.db.transaction((tx) =>
      createMilestonesFromTerms(
        tx,
        { clock: ctx.clock, ids: { newId: randomUUID } },
        {
          contractId,
          version: 1,
          terms: {
            currency: 'USD',
            milestones: amounts.map((amount, i) => ({ title: `M${i}`, amount, dueDate: due })),
          },
        },
      ),
    )
    const items = (
      await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/milestones`, token: client.token })
    ).json().items as Array<{ id: string; amount: number }>
    for (const m of items) milestones.push({ id: m.id, amount: m.amount, freelancer: c })
  }
  t.equal(milestones.length, MILESTONES)
  const total = milestones.reduce((sum, m) => sum + m.amount, 0)
  await depositConfirmed(ctx, client, operator, total)
  await pool(milestones, 8, async (m) => {
    const funded = await call({
      method: 'POST',
      url: `/api/v1/milestones/${m.id}/fund`,
      token: client.token,
      headers: idem(),
    })
    if (funded.statusCode !== 200) throw new Error(`fund: ${funded.body}`)
  })
  t.same(
    await balances(ctx, client),
    { available: 0, inEscrow: total, earnings: 0, pendingWithdrawal: 0 },
    'everything in escrow',
  )

  const winners: Array<'approve' | 'refund'> = []
  const problems: string[] = []
  await pool(milestones, PARALLEL, async (m, index) => {
    const actions = Array.from(
      { length: CONTENDERS },
      (_, i) => (i % 2 === 0 ? 'approve' : 'refund') as 'approve' | 'refund',
    ).sort(() => Math.random() - 0.5)
    const answers = await Promise.all(
      actions.map((action) =>
        call({
          method: 'POST',
          url: `/api/v1/milestones/${m.id}/${action}`,
          token: action === 'approve' ? client.token : freelancers[m.freelancer]!.token,
          headers: idem(),
        }),
      ),
    )
    const ok = answers.map((a, i) => ({ status: a.statusCode, action: actions[i]! })).filter((a) => a.status === 200)
    const conflicts = answers.filter((a) => a.statusCode === 409 && a.json().code === 'milestones.bad_state').length
    if (ok.length !== 1 || conflicts !== CONTENDERS - 1)
      problems.push(`milestone ${index}: ${answers.map((a) => a.statusCode).join(',')}`)
    winners[index] = ok[0]?.action ?? 'approve'
  })
  t.same(problems, [], 'exactly one 200 and seven 409 per milestone')

  let refunded = 0
  let fees = 0
  const earnings = new Array<number>(CONTRACTS).fill(0)
  milestones.forEach((m, i) => {
    if (winners[i] === 'refund') refunded += m.amount
    else {
      const { fee, net } = platformFee(BigInt(m.amount), ctx.config.platformFeeBps)
      fees += Number(fee)
      earnings[m.freelancer]! += Number(net)
    }
  })
  t.same(
    await balances(ctx, client),
    { available: refunded, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 },
    'the client got back exactly the refunds',
  )
  const actual = await Promise.all(freelancers.map(async (f) => (await balances(ctx, f)).earnings))
  t.same(actual, earnings, "each freelancer's earnings are exactly the net releases")
  const report = await verifyLedger(ctx, operator)
  t.equal(report.ok, true, 'the ledger verifies')
  t.equal(report.currencies[0].inside, total, 'no money appeared or vanished')
  const released = winners.filter((w) => w === 'approve').length
  const numbers = (
    await ctx.app.db
      .select({ n: invoicesTable.number })
      .from(invoicesTable)
      .where(isNotNull(invoicesTable.number))
      .orderBy(asc(invoicesTable.number))
  ).map((r) => r.n)
  t.same(
    numbers,
    Array.from({ length: released }, (_, i) => i + 1),
    'one invoice per release, numbered without gaps under concurrency',
  )
  t.comment(`${released} released, ${MILESTONES - released} refunded, fees ${fees}`)
})
