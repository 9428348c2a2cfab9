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
import { ledgerAccountsTable, milestonesTable } from '../db/schema/index.js'
import { queryRows } from '../db/client.js'
import { platformFee } from '../server/modules/ledger/ledger.amounts.js'
import { createMilestonesFromTerms } from '../server/modules/milestones/milestones.terms.js'
import { createContract } from './fixtures/contract.js'
import { build, type TestUser } from './helper.js'
import { makeOperator, verifyLedger } from './money.js'

t.setTimeout(1_800_000)

const TOTAL_OPS = Number(process.env.LEDGER_PROPERTY_OPS ?? 400)
const ACTORS = 8
const OPS_PER_ACTOR = Math.ceil(TOTAL_OPS / ACTORS)
const FEE_BPS = 1000

type Side = 'client' | 'freelancer'
interface MDispute {
  id: string
  opener: Side
  state: 'open' | 'answered' | 'escalated' | 'resolved'
  clientAccepts: number | null
  freelancerAccepts: number | null
  responded: boolean
}
interface MMilestone {
  id: string
  amount: number
  state: string
  held: number
  refundRequested: number | null
  dispute: MDispute | null
}
interface MActor {
  index: number
  client: TestUser
  freelancer: TestUser
  currency: string
  wallet: number
  earnings: number
  pending: number
  fees: number
  inside: number
  withdrawals: Array<{ id: string; amount: number; state: 'pending' | 'paid' | 'rejected' }>
  milestones: MMilestone[]
}

const kinds = {
  deposit: 3,
  fund: 5,
  submit: 3,
  requestChanges: 2,
  approve: 4,
  refundAsk: 1,
  refund: 2,
  dispute: 2,
  respond: 2,
  settle: 2,
  escalate: 1,
  decide: 1,
  withdraw: 2,
  payout: 2,
  newContract: 1,
} as const
type Kind = keyof typeof kinds

const commandArb = fc.record({
  kind: fc.oneof(...(Object.entries(kinds) as Array<[Kind, number]>).map(([kind, weight]) => ({ arbitrary: fc.constant(kind), weight }))),
  pick: fc.nat({ max: 1_000_000 }),
  percent: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  by: fc.constantFrom<Side>('client', 'freelancer'),
  amount: fc.integer({ min: 1, max: 120_000 }),
  retry: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
})
type Command = typeof commandArb extends fc.Arbitrary<infer C> ? C : never

const HOLDING = new Set(['funded', 'submitted', 'changes_requested'])
const LIVE = new Set(['open', 'answered', 'escalated'])
const part = (held: number, percent: number | undefined) => (percent === undefined ? undefined : Math.max(1, Math.floor((held * percent) / 100)))

/** JSON with sorted keys: a replay must equal the first answer, whatever the key order. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : value && typeof value === 'object'
      ? `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`
      : JSON.stringify(value)

interface Expect {
  status: number
  code?: string
}
interface Request {
  method: 'POST'
  url: string
  token: string
  payload?: Record<string, unknown>
  key?: string
}

t.test(`${ACTORS} concurrent actors x ${OPS_PER_ACTOR} random money operations agree with the model`, async (t) => {
  const ctx = await build(t, { env: { PLATFORM_FEE_BPS: String(FEE_BPS) } })
  const operator = await makeOperator(ctx)
  const due = new Date(ctx.clock.now().getTime() + 60 * 86_400_000).toISOString().slice(0, 10)
  let requests = 0
  let steps = 0
  const failures: string[] = []
  const outcomes = new Map<string, number>()

  const send = async (req: Request) => {
    requests++
    const response = await ctx.call({ method: req.method, url: req.url, token: req.token, ...(req.payload ? { payload: req.payload } : {}), headers: req.key ? { 'idempotency-key': req.key } : {} })
    return { status: response.statusCode, body: response.body, json: () => response.json() }
  }

  async function newContract(actor: MActor, amounts: number[]) {
    const { contractId } = await createContract(ctx.app, ctx.clock, { clientId: actor.client.id, freelancerId: actor.freelancer.id, currency: actor.currency })
    await ctx.app.db.transaction((tx) =>
      createMilestonesFromTerms(tx, { clock: ctx.clock, ids: { newId: randomUUID } }, {
        contractId,
        version: 1,
        terms: { currency: actor.currency, milestones: amounts.map((amount, i) => ({ title: `M${i}`, amount, dueDate: due })) },
      }),
    )
    const rows = await ctx.app.db.select().from(milestonesTable).where(sql`${milestonesTable.contractId} = ${contractId}`).orderBy(milestonesTable.position)
    for (const row of rows) actor.milestones.push({ id: row.id, amount: Number(row.amount), state: 'pending', held: 0, refundRequested: null, dispute: null })
  }

  /** Release `gross` from the hold in the model: fee floor(gross * bps / 10000), the rest to earnings. */
  const release = (actor: MActor, m: MMilestone, gross: number) => {
    const { fee, net } = platformFee(BigInt(gross), FEE_BPS)
    actor.earnings += Number(net)
    actor.fees += Number(fee)
    m.held -= gross
  }
  const resolve = (actor: MActor, m: MMilestone, freelancerAmount: number) => {
    const clientAmount = m.held - freelancerAmount
    if (freelancerAmount > 0) release(actor, m, freelancerAmount)
    actor.wallet += clientAmount
    m.held -= clientAmount
    m.state = freelancerAmount > 0 ? 'released' : 'refunded'
    m.dispute!.state = 'resolved'
  }

  function pickMilestone(actor: MActor, pick: number): MMilestone | undefined {
    const open = actor.milestones.filter((m) => m.state !== 'released' && m.state !== 'refunded')
    const from = pick % 10 < 8 && open.length ? open : actor.milestones
    return from[Math.floor(pick / 10) % from.length]
  }

  /** Plans one command: the request(s), the answer the model expects, and the model update on success. */
  async function step(actor: MActor, command: Command): Promise<{ touched?: MMilestone; sent: boolean }> {
    const m = pickMilestone(actor, command.pick)
    const token = (side: Side) => (side === 'client' ? actor.client.token : actor.freelancer.token)
    let req: Request | undefined
    let expect: Expect = { status: 200 }
    let apply = () => {}

    switch (command.kind) {
      case 'newContract': {
        if (actor.milestones.filter((x) => x.state === 'pending').length >= 6) return { sent: false }
        await newContract(actor, Array.from({ length: 1 + (command.pick % 4) }, (_, i) => (i === 0 && command.pick % 7 === 0 ? 1 + (command.amount % 15) : 1 + (command.amount * (i + 3)) % 60_000)))
        return { sent: true }
      }
      case 'deposit': {
        const asked = await send({ method: 'POST', url: '/api/v1/wallet/deposits', token: actor.client.token, payload: { amount: command.amount, currency: actor.currency }, key: randomUUID() })
        if (asked.status !== 201) throw new Error(`deposit: ${asked.body}`)
        req = { method: 'POST', url: `/api/v1/admin/deposits/${asked.json().id}/confirm`, token: operator.token, key: randomUUID() }
        apply = () => {
          actor.wallet += command.amount
          actor.inside += command.amount
        }
        break
      }
      case 'withdraw': {
        const amount = actor.earnings > 0 && command.percent !== undefined ? Math.max(1, Math.floor((actor.earnings * command.percent) / 100)) : command.amount
        req = { method: 'POST', url: '/api/v1/wallet/withdrawals', token: actor.freelancer.token, payload: { amount, currency: actor.currency }, key: randomUUID() }
        if (amount > actor.earnings) expect = { status: 409, code: 'payments.insufficient_earnings' }
        else {
          expect = { status: 201 }
          apply = () => {
            actor.earnings -= amount
            actor.pending += amount
          }
        }
        break
      }
      case 'payout': {
        const w = actor.withdrawals[command.pick % Math.max(1, actor.withdrawals.length)]
        if (!w) return { sent: false }
        const confirm = command.by === 'client'
        req = { method: 'POST', url: `/api/v1/admin/withdrawals/${w.id}/${confirm ? 'confirm' : 'reject'}`, token: operator.token, key: randomUUID() }
        if (w.state !== 'pending') expect = { status: 409, code: 'payments.withdrawal_not_pending' }
        else
          apply = () => {
            w.state = confirm ? 'paid' : 'rejected'
            actor.pending -= w.amount
            if (confirm) actor.inside -= w.amount
            else actor.earnings += w.amount
          }
        break
      }
      default: {
        if (!m) return { sent: false }
        const url = (action: string) => `/api/v1/milestones/${m.id}/${action}`
        const badState: Expect = { status: 409, code: 'milestones.bad_state' }
        switch (command.kind) {
          case 'fund':
            req = { method: 'POST', url: url('fund'), token: actor.client.token, key: randomUUID() }
            if (m.state !== 'pending') expect = badState
            else if (actor.wallet < m.amount) expect = { status: 409, code: 'ledger.insufficient_funds' }
            else
              apply = () => {
                actor.wallet -= m.amount
                m.held = m.amount
                m.state = 'funded'
              }
            break
          case 'submit':
            req = { method: 'POST', url: url('submit'), token: actor.freelancer.token, payload: { message: `work ${command.pick}` } }
            if (m.state !== 'funded' && m.state !== 'changes_requested') expect = badState
            else apply = () => void (m.state = 'submitted')
            break
          case 'requestChanges':
            req = { method: 'POST', url: url('request-changes'), token: actor.client.token, payload: { message: 'again' } }
            if (m.state !== 'submitted') expect = badState
            else apply = () => void (m.state = 'changes_requested')
            break
          case 'approve': {
            const amount = part(m.held, command.percent)
            req = { method: 'POST', url: url('approve'), token: actor.client.token, payload: amount === undefined ? {} : { amount }, key: randomUUID() }
            if (!HOLDING.has(m.state)) expect = badState
            else
              apply = () => {
                const gross = amount ?? m.held
                release(actor, m, gross)
                if (m.held === 0) {
                  m.state = 'released'
                  m.refundRequested = null
                }
              }
            break
          }
          case 'refundAsk': {
            const amount = part(m.held, command.percent)
            req = { method: 'POST', url: url('refund'), token: actor.client.token, payload: amount === undefined ? {} : { amount }, key: randomUUID() }
            if (!HOLDING.has(m.state)) expect = badState
            else {
              expect = { status: 202 }
              apply = () => void (m.refundRequested = amount ?? m.held)
            }
            break
          }
          case 'refund': {
            const explicit = part(m.held, command.percent)
            req = { method: 'POST', url: url('refund'), token: actor.freelancer.token, payload: explicit === undefined ? {} : { amount: explicit }, key: randomUUID() }
            const amount = explicit ?? m.refundRequested ?? m.held
            if (!HOLDING.has(m.state)) expect = badState
            else if (amount > m.held) expect = { status: 409, code: 'milestones.amount_exceeds_hold' }
            else
              apply = () => {
                actor.wallet += amount
                m.held -= amount
                m.refundRequested = null
                if (m.held === 0) m.state = 'refunded'
              }
            break
          }
          case 'dispute': {
            const split = part(m.held, command.percent)
            req = { method: 'POST', url: `/api/v1/milestones/${m.id}/disputes`, token: token(command.by), payload: { reason: 'disagree', ...(split === undefined ? {} : { freelancerAmount: split }) } }
            if (!HOLDING.has(m.state)) expect = { status: 409, code: 'disputes.milestone_not_disputable' }
            else {
              expect = { status: 201 }
              const proposal = split ?? (command.by === 'client' ? 0 : m.held)
              apply = () => {
                m.state = 'disputed'
                m.dispute = { id: '', opener: command.by, state: 'open', clientAccepts: command.by === 'client' ? proposal : null, freelancerAccepts: command.by === 'freelancer' ? proposal : null, responded: false }
              }
            }
            break
          }
          case 'respond':
          case 'settle':
          case 'escalate':
          case 'decide': {
            const d = m.dispute
            if (!d) return { sent: false }
            const durl = (action: string) => `/api/v1/disputes/${d.id}/${action}`
            const side = command.by
            const split = part(m.held, command.percent) ?? (command.pick % 2 === 0 ? 0 : m.held)
            const accept = (who: Side, amount: number) => {
              if (who === 'client') d.clientAccepts = amount
              else d.freelancerAccepts = amount
              if (d.clientAccepts !== null && d.clientAccepts === d.freelancerAccepts) resolve(actor, m, amount)
            }
            const live = LIVE.has(d.state)
            if (command.kind === 'respond') {
              const withSplit = command.percent !== undefined
              req = { method: 'POST', url: durl('respond'), token: token(side), payload: { message: 'answer', ...(withSplit ? { freelancerAmount: split } : {}) }, key: randomUUID() }
              if (side === d.opener) expect = { status: 403, code: 'disputes.forbidden' }
              else if (!live) expect = { status: 409, code: 'disputes.bad_state' }
              else
                apply = () => {
                  d.responded = true
                  if (d.state === 'open') d.state = 'answered'
                  if (withSplit) accept(side, split)
                }
            } else if (command.kind === 'settle') {
              req = { method: 'POST', url: durl('settle'), token: token(side), payload: { freelancerAmount: split }, key: randomUUID() }
              if (!live) expect = { status: 409, code: 'disputes.bad_state' }
              else
                apply = () => {
                  if (side !== d.opener && !d.responded) {
                    d.responded = true
                    if (d.state === 'open') d.state = 'answered'
                  }
                  accept(side, split)
                }
            } else if (command.kind === 'escalate') {
              req = { method: 'POST', url: durl('escalate'), token: token(side), payload: {} }
              if (d.state !== 'open' && d.state !== 'answered') expect = { status: 409, code: 'disputes.bad_state' }
              else
                apply = () => {
                  d.state = 'escalated'
                  if (side !== d.opener) d.responded = true
                }
            } else {
              req = { method: 'POST', url: `/api/v1/admin/disputes/${d.id}/decide`, token: operator.token, payload: { freelancerAmount: split, note: 'decided' }, key: randomUUID() }
              if (!live) expect = { status: 409, code: 'disputes.bad_state' }
              else apply = () => resolve(actor, m, split)
            }
            break
          }
        }
      }
    }
    if (!req) return { sent: false }

    const response = await send(req)
    const body = response.status < 500 ? response.json() : { code: 'server error' }
    if (response.status !== expect.status || (expect.code && body.code !== expect.code)) {
      throw new Error(`actor ${actor.index} ${command.kind}: expected ${expect.status} ${expect.code ?? ''}, got ${response.status} ${response.body.slice(0, 300)}`)
    }
    outcomes.set(`${command.kind} ${response.status}`, (outcomes.get(`${command.kind} ${response.status}`) ?? 0) + 1)
    if (response.status < 300) {
      apply()
      if (command.kind === 'withdraw') actor.withdrawals.push({ id: body.id, amount: body.amount, state: 'pending' })
      if (command.kind === 'dispute' && m) m.dispute!.id = body.id
    }
    if (command.retry && req.key) {
      const again = await send(req)
      if (again.status !== response.status || canonical(again.json()) !== canonical(body)) {
        throw new Error(`actor ${actor.index} ${command.kind}: the retry answered ${again.status} ${again.body.slice(0, 200)} instead of the first answer`)
      }
    }
    return { touched: m, sent: true }
  }

  /** After every step: global invariants, and this actor's balances equal the model's. */
  async function check(actor: MActor, touched: MMilestone | undefined) {
    const sums = await queryRows<{ currency: string; total: string; low: string | null }>(
      ctx.app.db,
      sql`select currency, sum(balance)::text as total, min(balance) filter (where kind <> 'world')::text as low from ledger_accounts group by currency`,
    )
    for (const row of sums) {
      if (row.total !== '0') throw new Error(`ledger does not sum to 0 in ${row.currency}: ${row.total}`)
      if (row.low !== null && BigInt(row.low) < 0n) throw new Error(`an account in ${row.currency} is below 0: ${row.low}`)
    }
    const owners = [actor.client.id, actor.freelancer.id, ...(touched ? [touched.id] : [])]
    const rows = await ctx.app.db.select().from(ledgerAccountsTable).where(inArray(ledgerAccountsTable.ownerId, owners))
    const balance = (kind: string, owner: string) => Number(rows.find((r) => r.kind === kind && r.ownerId === owner && r.currency === actor.currency)?.balance ?? 0n)
    const actual = {
      wallet: balance('wallet', actor.client.id),
      earnings: balance('earnings', actor.freelancer.id),
      pending: balance('withdrawal_pending', actor.freelancer.id),
      held: touched ? balance('hold', touched.id) : 0,
    }
    const expected = { wallet: actor.wallet, earnings: actor.earnings, pending: actor.pending, held: touched?.held ?? 0 }
    if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`actor ${actor.index}: balances ${JSON.stringify(actual)}, model ${JSON.stringify(expected)}`)
  }

  const actorsArb = fc.array(fc.array(commandArb, { minLength: 2 * OPS_PER_ACTOR, maxLength: 2 * OPS_PER_ACTOR }), { minLength: ACTORS, maxLength: ACTORS })
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
          if ((m.state === 'released' || m.state === 'refunded') && hold !== 0) throw new Error(`resolved milestone ${m.id} still holds ${hold}`)
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
      for (const actor of actors) for (const m of actor.milestones) {
        const row = rows.find((r) => r.id === m.id)!
        if (row.state !== m.state) throw new Error(`milestone ${m.id}: state ${row.state}, model ${m.state}`)
      }
    }),
    { numRuns: 1, endOnFailure: true },
  )
  t.same(failures, [], 'every answer and every balance matched the model')
  t.ok(steps >= TOTAL_OPS, `${steps} operations (${requests} requests) from ${ACTORS} concurrent actors`)
  t.comment([...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`).join(', '))
})
