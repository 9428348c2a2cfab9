// Model-based property test of the money system against the real app and database.
//
// Eight actors (each a client and a freelancer with their own contracts, in USD or EUR)
// run fast-check-generated commands at the same time: deposit, fund, submit, request
// changes, partial and full release, refund (asked and consented), dispute, answer,
// settle, escalate, decide, withdraw, pay out or reject a withdrawal, with random
// idempotent retries. A sequential model per actor predicts every answer (status and
// code) and every balance; the actors share the fee and world accounts, whose expected
// values are the sums of the models. After every step: the ledger sums to 0 per currency,
// nothing bounded is below 0, and the actor's balances and the touched hold equal the
// model's. At the end: the full verification, every hold, every fee account.
//
// LEDGER_PROPERTY_OPS sets the number of operations (CI's Postgres pass: 10000).
import { randomUUID } from 'node:crypto'
import { inArray, sql } from 'drizzle-orm'
import fc from 'fast-check'
import t from 'tap'
import { canonicalJson } from '../common/canonical-json.js'
import { ledgerAccountsTable, milestonesTable } from '../db/schema/index.js'
import { queryRows } from '../db/client.js'
import { createMilestonesFromTerms } from '../server/modules/milestones/index.js'
import { createContract } from './fixtures/contract.js'
import { build } from './helper.js'
import { makeOperator, verifyLedger } from './money.js'
import { commandArb, FEE_BPS, newContractAmounts } from './money-property.model.js'
import type { Command, MActor, MMilestone } from './money-property.model.js'
import { planCommand, type ModelPorts, type Request } from './money-property.plan.js'

t.setTimeout(1_800_000)

const TOTAL_OPS = Number(process.env.LEDGER_PROPERTY_OPS ?? 400)
const ACTORS = 8
const OPS_PER_ACTOR = Math.ceil(TOTAL_OPS / ACTORS)

t.test(`${ACTORS} concurrent actors x ${OPS_PER_ACTOR} random money operations agree with the model`, async (t) => {
  // Thousands of writes by a handful of users on purpose: past the per-user write limit.
  const ctx = await build(t, { env: { PLATFORM_FEE_BPS: String(FEE_BPS), WRITES_PER_MINUTE: '1000000' } })
  const operator = await makeOperator(ctx)
  const due = new Date(ctx.clock.now().getTime() + 60 * 86_400_000).toISOString().slice(0, 10)
  let requests = 0
  let steps = 0
  const failures: string[] = []
  const outcomes = new Map<string, number>()

  const send = async (req: Request) => {
    requests++
    const response = await ctx.call({
      method: req.method,
      url: req.url,
      token: req.token,
      ...(req.payload ? { payload: req.payload } : {}),
      headers: req.key ? { 'idempotency-key': req.key } : {},
    })
    return { status: response.statusCode, body: response.body, json: () => response.json() }
  }

  async function newContract(actor: MActor, amounts: number[]) {
    const { contractId } = await createContract(ctx.app, ctx.clock, {
      clientId: actor.client.id,
      freelancerId: actor.freelancer.id,
      currency: actor.currency,
    })
    await ctx.app.db.transaction((tx) =>
      createMilestonesFromTerms(
        tx,
        { clock: ctx.clock, ids: { newId: randomUUID } },
        {
          contractId,
          version: 1,
          terms: {
            currency: actor.currency,
            milestones: amounts.map((amount, i) => ({ title: `M${i}`, amount, dueDate: due })),
          },
        },
      ),
    )
    const rows = await ctx.app.db
      .select()
      .from(milestonesTable)
      .where(sql`${milestonesTable.contractId} = ${contractId}`)
      .orderBy(milestonesTable.position)
    for (const row of rows)
      actor.milestones.push({
        id: row.id,
        amount: Number(row.amount),
        state: 'pending',
        held: 0,
        refundRequested: null,
        dispute: null,
      })
  }

  const ports: ModelPorts = {
    operatorToken: operator.token,
    async askDeposit(actor, amount) {
      const payload = { amount, currency: actor.currency }
      const asked = await send({
        method: 'POST',
        url: '/api/v1/wallet/deposits',
        token: actor.client.token,
        payload,
        key: randomUUID(),
      })
      if (asked.status !== 201) throw new Error(`deposit: ${asked.body}`)
      return asked.json().id
    },
  }

  /** Runs one command: the answer must be the model's, and a replay with its key the same answer. */
  async function step(actor: MActor, command: Command): Promise<{ touched?: MMilestone; sent: boolean }> {
    if (command.kind === 'newContract') {
      const amounts = newContractAmounts(actor, command)
      if (!amounts) return { sent: false }
      await newContract(actor, amounts)
      return { sent: true }
    }
    const planned = await planCommand(actor, command, ports)
    if (!planned) return { sent: false }
    const { req, expect } = planned

    const response = await send(req)
    const body = response.status < 500 ? response.json() : { code: 'server error' }
    if (response.status !== expect.status || (expect.code && body.code !== expect.code)) {
      throw new Error(
        `actor ${actor.index} ${command.kind}: expected ${expect.status} ${expect.code ?? ''}, got ${response.status} ${response.body.slice(0, 300)}`,
      )
    }
    outcomes.set(`${command.kind} ${response.status}`, (outcomes.get(`${command.kind} ${response.status}`) ?? 0) + 1)
    if (response.status < 300) planned.apply(body)
    if (command.retry && req.key) {
      const again = await send(req)
      if (again.status !== response.status || canonicalJson(again.json()) !== canonicalJson(body)) {
        throw new Error(
          `actor ${actor.index} ${command.kind}: the retry answered ${again.status} ${again.body.slice(0, 200)} instead of the first answer`,
        )
      }
    }
    return { touched: planned.touched, sent: true }
  }

  /** After every step: global invariants, and this actor's balances equal the model's. */
  async function check(actor: MActor, touched: MMilestone | undefined) {
    const sums = await queryRows<{ currency: string; total: string; low: string | null }>(
      ctx.app.db,
      sql`select currency, sum(balance)::text as total, min(balance) filter (where kind <> 'world')::text as low from ledger_accounts group by currency`,
    )
    for (const row of sums) {
      if (row.total !== '0') throw new Error(`ledger does not sum to 0 in ${row.currency}: ${row.total}`)
      if (row.low !== null && BigInt(row.low) < 0n)
        throw new Error(`an account in ${row.currency} is below 0: ${row.low}`)
    }
    const owners = [actor.client.id, actor.freelancer.id, ...(touched ? [touched.id] : [])]
    const rows = await ctx.app.db.select().from(ledgerAccountsTable).where(inArray(ledgerAccountsTable.ownerId, owners))
    const balance = (kind: string, owner: string) =>
      Number(rows.find((r) => r.kind === kind && r.ownerId === owner && r.currency === actor.currency)?.balance ?? 0n)
    const actual = {
      wallet: balance('wallet', actor.client.id),
      earnings: balance('earnings', actor.freelancer.id),
      pending: balance('withdrawal_pending', actor.freelancer.id),
      held: touched ? balance('hold', touched.id) : 0,
    }
    const expected = {
      wallet: actor.wallet,
      earnings: actor.earnings,
      pending: actor.pending,
      held: touched?.held ?? 0,
    }
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      throw new Error(`actor ${actor.index}: balances ${JSON.stringify(actual)}, model ${JSON.stringify(expected)}`)
  }

  const actorsArb = fc.array(fc.array(commandArb, { minLength: 2 * OPS_PER_ACTOR, maxLength: 2 * OPS_PER_ACTOR }), {
    minLength: ACTORS,
    maxLength: ACTORS,
  })
  await fc.assert(
    fc.asyncProperty(actorsArb, async (programs) => {
      const actors: MActor[] = []
      for (let i = 0; i < ACTORS; i++) {
        const actor: MActor = {
          index: i,
          client: await ctx.register(`Client ${i}`),
          freelancer: await ctx.register(`Freelancer ${i}`),
          currency: i % 2 === 0 ? 'USD' : 'EUR',
          wallet: 0,
          earnings: 0,
          pending: 0,
          fees: 0,
          inside: 0,
          withdrawals: [],
          milestones: [],
        }
        await newContract(actor, [5_000, 20_000, 1, 9, 45_000])
        actors.push(actor)
      }
      await Promise.all(
        actors.map(async (actor, i) => {
          // Commands that find nothing to act on (no dispute yet...) are skipped and do not count.
          let done = 0
          for (const command of programs[i]!) {
            if (done >= OPS_PER_ACTOR) break
            try {
              const { touched, sent } = await step(actor, command)
              if (!sent) continue
              await check(actor, touched)
              done++
              steps++
            } catch (err) {
              failures.push(err instanceof Error ? err.message : String(err))
              throw err
            }
          }
        }),
      )

      // The end: full verification, every hold, the shared fee accounts, the money inside.
      const report = await verifyLedger(ctx, operator)
      if (!report.ok) throw new Error(`verify: ${JSON.stringify(report)}`)
      const accounts = await ctx.app.db.select().from(ledgerAccountsTable)
      for (const actor of actors) {
        for (const m of actor.milestones) {
          const hold = Number(accounts.find((a) => a.kind === 'hold' && a.ownerId === m.id)?.balance ?? 0n)
          if (hold !== m.held) throw new Error(`hold of milestone ${m.id}: ${hold}, model ${m.held}`)
          if ((m.state === 'released' || m.state === 'refunded') && hold !== 0)
            throw new Error(`resolved milestone ${m.id} still holds ${hold}`)
        }
      }
      for (const currency of ['USD', 'EUR']) {
        const mine = actors.filter((a) => a.currency === currency)
        const fees = Number(accounts.find((a) => a.kind === 'fees' && a.currency === currency)?.balance ?? 0n)
        const world = Number(accounts.find((a) => a.kind === 'world' && a.currency === currency)?.balance ?? 0n)
        if (fees !== mine.reduce((s, a) => s + a.fees, 0)) throw new Error(`fees in ${currency}: ${fees}`)
        if (-world !== mine.reduce((s, a) => s + a.inside, 0)) throw new Error(`money inside in ${currency}: ${-world}`)
      }
      // Each milestone's row agrees with the model's state.
      const rows = await ctx.app.db.select().from(milestonesTable)
      for (const actor of actors)
        for (const m of actor.milestones) {
          const row = rows.find((r) => r.id === m.id)!
          if (row.state !== m.state) throw new Error(`milestone ${m.id}: state ${row.state}, model ${m.state}`)
        }
    }),
    { numRuns: 1, endOnFailure: true },
  )
  t.same(failures, [], 'every answer and every balance matched the model')
  t.ok(steps >= TOTAL_OPS, `${steps} operations (${requests} requests) from ${ACTORS} concurrent actors`)
  t.comment(
    [...outcomes]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}: ${n}`)
      .join(', '),
  )
})
