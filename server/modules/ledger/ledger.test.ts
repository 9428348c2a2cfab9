import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { plannedContract } from '../../../test/fixtures/planned-contract.js'
import { build } from '../../../test/helper.js'
import { balances, depositConfirmed, idem, makeOperator, verifyLedger } from '../../../test/money.js'
import { pgErrorCode } from '../../../db/transactions.js'
import { accounts } from './ledger.service.js'
import { platformFee } from './ledger.amounts.js'

t.setTimeout(120_000)

t.test('deposit, confirm, withdraw, pay out: balances and the ledger add up', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Cleo')

  const asked = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem(),
    payload: { amount: 100_000, currency: 'USD' },
  })
  t.equal(asked.statusCode, 201)
  t.equal(asked.json().state, 'pending')
  t.equal(asked.json().provider, 'manual')
  t.match(asked.json().instructions, { method: 'bank_transfer', reference: /^WR-/ })
  t.same(
    await balances(ctx, client),
    { available: 0, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 },
    'a pending deposit is not money yet',
  )
  const wallet = await call({ method: 'GET', url: '/api/v1/wallet', token: client.token })
  t.equal(wallet.json().pendingDeposits.length, 1)

  const byClient = await call({
    method: 'POST',
    url: `/api/v1/admin/deposits/${asked.json().id}/confirm`,
    token: client.token,
    headers: idem(),
  })
  t.equal(byClient.statusCode, 403, 'only operators confirm deposits')
  const confirmed = await call({
    method: 'POST',
    url: `/api/v1/admin/deposits/${asked.json().id}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  t.equal(confirmed.statusCode, 200)
  t.equal(confirmed.json().state, 'confirmed')
  t.equal((await balances(ctx, client)).available, 100_000)
  const again = await call({
    method: 'POST',
    url: `/api/v1/admin/deposits/${asked.json().id}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  t.equal(again.statusCode, 409, 'a deposit is confirmed once')
  t.equal(again.json().code, 'payments.deposit_not_pending')
  t.equal((await balances(ctx, client)).available, 100_000)
  const missing = await call({
    method: 'POST',
    url: `/api/v1/admin/deposits/${randomUUID()}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  t.equal(missing.statusCode, 404)

  // Earnings come from releases; here they are posted straight through the ledger.
  const freelancer = await ctx.register('Fred')
  await ctx.app.db.transaction((tx) =>
    ctx.app.ledger.transfer(tx, {
      kind: 'test',
      currency: 'USD',
      reference: 'test',
      actorId: null,
      legs: [
        { account: accounts.wallet(client.id, 'USD'), amount: -30_000n },
        { account: accounts.earnings(freelancer.id, 'USD'), amount: 30_000n },
      ],
    }),
  )
  const tooMuch = await call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload: { amount: 30_001, currency: 'USD' },
  })
  t.equal(tooMuch.statusCode, 409)
  t.equal(tooMuch.json().code, 'payments.insufficient_earnings')
  const withdrawal = await call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload: { amount: 20_000, currency: 'USD', destination: 'DE89 3704 0044 0532 0130 00' },
  })
  t.equal(withdrawal.statusCode, 201)
  t.same(
    await balances(ctx, freelancer),
    { available: 0, inEscrow: 0, earnings: 10_000, pendingWithdrawal: 20_000 },
    'the amount is reserved at once',
  )
  const second = await call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload: { amount: 20_000, currency: 'USD' },
  })
  t.equal(second.statusCode, 409, 'reserved money cannot be withdrawn twice')

  const rejected = await call({
    method: 'POST',
    url: `/api/v1/wallet/withdrawals`,
    token: freelancer.token,
    headers: idem(),
    payload: { amount: 5_000, currency: 'USD' },
  })
  const reject = await call({
    method: 'POST',
    url: `/api/v1/admin/withdrawals/${rejected.json().id}/reject`,
    token: operator.token,
    headers: idem(),
  })
  t.equal(reject.json().state, 'rejected')
  t.same(
    await balances(ctx, freelancer),
    { available: 0, inEscrow: 0, earnings: 10_000, pendingWithdrawal: 20_000 },
    'a rejected withdrawal returns to earnings',
  )

  const paid = await call({
    method: 'POST',
    url: `/api/v1/admin/withdrawals/${withdrawal.json().id}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  t.equal(paid.statusCode, 200)
  t.equal(paid.json().state, 'paid')
  t.same(await balances(ctx, freelancer), { available: 0, inEscrow: 0, earnings: 10_000, pendingWithdrawal: 0 })

  const report = await verifyLedger(ctx, operator)
  t.equal(report.ok, true)
  t.match(report.currencies, [{ currency: 'USD', balanceSum: 0, entrySum: 0, inside: 80_000 }])
  t.equal(report.holdsOnEndedContracts, 0, 'no escrow left on a contract that is over')
  const notOperator = await call({ method: 'GET', url: '/api/v1/ledger/verify', token: client.token })
  t.equal(notOperator.statusCode, 403)

  const listed = await call({ method: 'GET', url: '/api/v1/admin/deposits?state=confirmed', token: operator.token })
  t.equal(listed.json().items.length, 1)
  const mine = await call({ method: 'GET', url: '/api/v1/wallet/withdrawals?limit=1', token: freelancer.token })
  t.equal(mine.json().items.length, 1)
  t.type(mine.json().nextCursor, 'string')
  const next = await call({
    method: 'GET',
    url: `/api/v1/wallet/withdrawals?limit=1&cursor=${mine.json().nextCursor}`,
    token: freelancer.token,
  })
  t.not(next.json().items[0].id, mine.json().items[0].id)
})

t.test('the database itself refuses to change or remove ledger entries and to bend balances', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Cleo')
  await depositConfirmed(ctx, client, operator, 5_000)
  const db = ctx.app.db

  const refused = async (label: string, statement: ReturnType<typeof sql>) => {
    try {
      await db.execute(statement)
      t.fail(`${label} was allowed`)
    } catch (err) {
      t.ok(pgErrorCode(err), `${label} is refused (${pgErrorCode(err)})`)
    }
  }
  await refused('UPDATE of an entry', sql`update ledger_entries set amount = amount * 2`)
  await refused('DELETE of an entry', sql`delete from ledger_entries`)
  await refused('TRUNCATE of the entries', sql`truncate ledger_entries cascade`)
  await refused('UPDATE of a transfer', sql`update ledger_transfers set amount = 1`)
  await refused('DELETE of a transfer', sql`delete from ledger_transfers`)
  await refused('a balance set by hand', sql`update ledger_accounts set balance = balance + 1000000`)
  await refused('DELETE of an account', sql`delete from ledger_accounts`)

  // A transfer whose entries do not sum to 0 fails at commit.
  const transferId = randomUUID()
  await t.rejects(
    db.transaction(async (tx) => {
      const [wallet] = await tx
        .execute(sql`select id from ledger_accounts where kind = 'wallet' and owner_id = ${client.id}`)
        .then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<{ id: string }>)
      await tx.execute(
        sql`insert into ledger_transfers (id, kind, currency, amount, reference, created_at) values (${transferId}, 'forged', 'USD', 100, 'x', now())`,
      )
      await tx.execute(
        sql`insert into ledger_entries (transfer_id, leg, account_id, currency, amount, created_at) values (${transferId}, 1, ${wallet!.id}, 'USD', 100, now())`,
      )
    }),
    'an unbalanced transfer does not commit',
  )
  // An overdraft posted behind the application's back hits the balance CHECK.
  await t.rejects(
    db.transaction(async (tx) => {
      const rows = await tx
        .execute(sql`select id, kind from ledger_accounts where currency = 'USD'`)
        .then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<{ id: string; kind: string }>)
      const wallet = rows.find((r) => r.kind === 'wallet')!
      const world = rows.find((r) => r.kind === 'world')!
      const id = randomUUID()
      await tx.execute(
        sql`insert into ledger_transfers (id, kind, currency, amount, reference, created_at) values (${id}, 'forged', 'USD', 9000, 'x', now())`,
      )
      await tx.execute(
        sql`insert into ledger_entries (transfer_id, leg, account_id, currency, amount, created_at) values (${id}, 1, ${wallet.id}, 'USD', -9000, now()), (${id}, 2, ${world.id}, 'USD', 9000, now())`,
      )
    }),
    'a wallet cannot go below 0',
  )

  const report = await verifyLedger(ctx, operator)
  t.equal(report.ok, true, 'after all the attempts the ledger is intact')
  t.equal((await balances(ctx, client)).available, 5_000)
})

t.test('the check names escrow left on a contract that is over', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const { contractId, milestoneIds } = await plannedContract(ctx, { client, freelancer, amounts: [40_000] })
  await depositConfirmed(ctx, client, operator, 40_000)
  await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${milestoneIds[0]}/fund`,
    token: client.token,
    headers: idem(),
  })
  t.equal(
    (await verifyLedger(ctx, operator)).holdsOnEndedContracts,
    0,
    'a funded milestone of a running contract is fine',
  )

  // Ended behind the application's back, the funded hold is stranded: the check says so.
  await ctx.app.db.execute(sql`update contracts set state = 'ended', ended_at = now() where id = ${contractId}`)
  const report = await verifyLedger(ctx, operator)
  t.equal(report.ok, false)
  t.equal(report.holdsOnEndedContracts, 1)
  t.match(report.endedContractHolds, [{ milestoneId: milestoneIds[0], contractId, currency: 'USD', balance: 40_000 }])
})

t.test('the service refuses overdrafts and unbalanced legs', async (t) => {
  const ctx = await build(t)
  const user = await ctx.register('Pat')
  await t.rejects(
    ctx.app.db.transaction((tx) =>
      ctx.app.ledger.transfer(tx, {
        kind: 'fund',
        currency: 'EUR',
        reference: 'x',
        actorId: null,
        legs: [
          { account: accounts.wallet(user.id, 'EUR'), amount: -1n },
          { account: accounts.hold(randomUUID(), 'EUR'), amount: 1n },
        ],
      }),
    ),
    { code: 'ledger.insufficient_funds' },
  )
  await t.rejects(
    ctx.app.db.transaction((tx) =>
      ctx.app.ledger.transfer(tx, {
        kind: 'broken',
        currency: 'EUR',
        reference: 'x',
        actorId: null,
        legs: [
          { account: accounts.world('EUR'), amount: -2n },
          { account: accounts.wallet(user.id, 'EUR'), amount: 1n },
        ],
      }),
    ),
    /does not balance/,
  )
  const limit = await ctx.call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: user.token,
    headers: idem(),
    payload: { amount: Number.MAX_SAFE_INTEGER + 1, currency: 'EUR' },
  })
  t.equal(limit.statusCode, 400, 'amounts past 2^53 - 1 are refused at the edge')
})

t.test('platform fee: floor, and the parts add up to the whole', async (t) => {
  for (const [gross, bps] of [
    [1n, 1000],
    [9n, 1000],
    [10n, 1000],
    [12_345n, 1000],
    [99_999n, 250],
    [9_007_199_254_740_991n, 5000],
    [5n, 0],
  ] as const) {
    const { fee, net } = platformFee(gross, bps)
    t.equal(fee + net, gross, `${gross} at ${bps} bps`)
    t.equal(fee, (gross * BigInt(bps)) / 10_000n)
    t.ok(fee >= 0n && net >= 0n)
  }
})
