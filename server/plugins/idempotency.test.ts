import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import t from 'tap'
import { build } from '../../test/helper.js'
import { askDeposit, balances, idem, makeOperator, verifyLedger } from '../../test/money.js'
import { forgetOldKeys, IDEMPOTENCY_KEY_RETENTION_MS } from './idempotency.js'

t.setTimeout(120_000)

t.test('Idempotency-Key: required, replayed, mismatched, per user', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const client = await ctx.register('Cleo')
  const other = await ctx.register('Otto')

  const none = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    payload: { amount: 100, currency: 'USD' },
  })
  t.equal(none.statusCode, 400, 'a money request without a key is refused')
  t.equal(none.json().message, 'The Idempotency-Key header is required', 'the header named as people write it')
  const bad = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem('has spaces in it'),
    payload: { amount: 100, currency: 'USD' },
  })
  t.equal(bad.statusCode, 400)

  const key = randomUUID()
  const first = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem(key),
    payload: { amount: 700, currency: 'USD' },
  })
  t.equal(first.statusCode, 201)
  t.notOk(first.headers['idempotent-replayed'])
  const retry = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem(key),
    payload: { amount: 700, currency: 'USD' },
  })
  t.equal(retry.statusCode, 201, 'the retry gets the first status')
  t.same(retry.json(), first.json(), '...and the first body')
  t.equal(retry.headers['idempotent-replayed'], 'true')
  const reordered = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem(key),
    payload: { currency: 'USD', amount: 700 },
  })
  t.equal(reordered.statusCode, 422, 'a retry is the same bytes: the same fields in another order are another request')
  const listed = await call({ method: 'GET', url: '/api/v1/wallet/deposits', token: client.token })
  t.equal(listed.json().items.length, 1, 'one deposit, not two')

  const other1 = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem(key),
    payload: { amount: 701, currency: 'USD' },
  })
  t.equal(other1.statusCode, 422, 'the same key with another body')
  t.equal(other1.json().code, 'idempotency.mismatch')
  const otherRoute = await call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: client.token,
    headers: idem(key),
    payload: { amount: 700, currency: 'USD' },
  })
  t.equal(otherRoute.statusCode, 422, 'the same key on another route')

  const otherUser = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: other.token,
    headers: idem(key),
    payload: { amount: 700, currency: 'USD' },
  })
  t.equal(otherUser.statusCode, 201, 'keys belong to one user: another user may use the same key')
  t.not(otherUser.json().id, first.json().id)
})

t.test('identical requests at the same moment move money once and all get the first answer', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Cleo')
  const deposit = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem(),
    payload: { amount: 5_000, currency: 'USD' },
  })

  const key = randomUUID()
  const confirmations = await Promise.all(
    Array.from({ length: 8 }, () =>
      call({
        method: 'POST',
        url: `/api/v1/admin/deposits/${deposit.json().id}/confirm`,
        token: operator.token,
        headers: idem(key),
      }),
    ),
  )
  t.same(new Set(confirmations.map((r) => r.statusCode)), new Set([200]), 'every copy answers 200')
  t.equal(new Set(confirmations.map((r) => r.body)).size, 1, 'with the same body')
  t.equal(
    confirmations.filter((r) => r.headers['idempotent-replayed'] === 'true').length,
    7,
    'seven of them are replays',
  )
  t.equal((await balances(ctx, client)).available, 5_000, 'the deposit was credited once')

  const depositKey = randomUUID()
  const asks = await Promise.all(
    Array.from({ length: 6 }, () =>
      call({
        method: 'POST',
        url: '/api/v1/wallet/deposits',
        token: client.token,
        headers: idem(depositKey),
        payload: { amount: 10, currency: 'EUR' },
      }),
    ),
  )
  t.equal(new Set(asks.map((r) => r.json().id)).size, 1, 'six simultaneous deposit requests make one deposit')
  t.equal((await verifyLedger(ctx, operator)).ok, true)
})

t.test('a refused request is answered the same way on retry, even after the cause went away', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const freelancer = await ctx.register('Fred')
  const key = randomUUID()
  const payload = { amount: 500, currency: 'USD' }
  const refused = await call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(key),
    payload,
  })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'payments.insufficient_earnings')
  const replay = await call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(key),
    payload,
  })
  t.equal(replay.statusCode, 409)
  t.same(replay.json(), refused.json())
  t.equal(replay.headers['idempotent-replayed'], 'true')
  const fresh = await call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload,
  })
  t.equal(fresh.statusCode, 409, 'a new key runs again')
})

t.test('a key is remembered for 7 days, then forgotten: the same key is then a new request', async (t) => {
  const ctx = await build(t)
  const { call, clock, database } = ctx
  const client = await ctx.register('Cleo')
  const deposit = (key: string) =>
    call({
      method: 'POST',
      url: '/api/v1/wallet/deposits',
      token: client.token,
      headers: idem(key),
      payload: { amount: 500, currency: 'USD' },
    })
  const remembered = async () =>
    Number((await database.query('select count(*)::int as n from idempotency_keys', []))[0]?.n)

  const old = randomUUID()
  const first = await deposit(old)
  t.equal(first.statusCode, 201)
  clock.advance(6 * 24 * 3600_000)
  await ctx.app.scheduler.runDue()
  const replay = await deposit(old)
  t.equal(replay.headers['idempotent-replayed'], 'true', 'six days on, a retry still replays the first answer')
  t.equal(replay.json().id, first.json().id)

  const recent = randomUUID()
  t.equal((await deposit(recent)).statusCode, 201)
  clock.advance(25 * 3600_000)
  await ctx.app.scheduler.runDue()
  t.equal(await remembered(), 1, 'past 7 days the first key is forgotten; the day-old one is kept')
  const again = await deposit(old)
  t.equal(again.statusCode, 201)
  t.notOk(again.headers['idempotent-replayed'], 'the forgotten key is a new request')
  t.not(again.json().id, first.json().id, 'which makes a new deposit')
  const recentRetry = await deposit(recent)
  t.equal(recentRetry.headers['idempotent-replayed'], 'true', 'the kept key still replays')
})

t.test('a backlog of old keys goes a bounded number of rows a run; the next run goes on', async (t) => {
  const ctx = await build(t)
  const { call, clock, database, app } = ctx
  const client = await ctx.register('Cleo')
  for (let i = 0; i < 7; i++) {
    const deposit = await call({
      method: 'POST',
      url: '/api/v1/wallet/deposits',
      token: client.token,
      headers: idem(randomUUID()),
      payload: { amount: 100 + i, currency: 'USD' },
    })
    t.equal(deposit.statusCode, 201)
  }
  const remembered = async () =>
    Number((await database.query('select count(*)::int as n from idempotency_keys', []))[0]?.n)
  clock.advance(IDEMPOTENCY_KEY_RETENTION_MS + 60_000)
  const before = new Date(clock.now().getTime() - IDEMPOTENCY_KEY_RETENTION_MS)
  t.equal(await forgetOldKeys(app.db, before, { chunk: 3, maxChunks: 2 }), 6, 'two statements of three rows')
  t.equal(await remembered(), 1, 'the rest waits for the next run')
  t.equal(await forgetOldKeys(app.db, before, { chunk: 3, maxChunks: 2 }), 1, 'which finishes it')
  t.equal(await remembered(), 0)
})

t.test(
  'on Postgres a money request that waits past the bound for a lock answers 503 busy, did nothing, and can be retried',
  {
    skip: process.env.DATABASE_URL
      ? false
      : 'needs DATABASE_URL (the Postgres run of CI): another connection holding a lock',
  },
  async (t) => {
    const ctx = await build(t)
    const client = await ctx.register('Cleo')
    const operator = await makeOperator(ctx)
    const depositId = await askDeposit(ctx, client, 500)
    const key = idem()
    const confirm = () =>
      ctx.call({
        method: 'POST',
        url: `/api/v1/admin/deposits/${depositId}/confirm`,
        token: operator.token,
        headers: key,
      })
    // Another session (an instance in the middle of its own work on this deposit) holds its row.
    const other = postgres(ctx.databaseUrl!, { max: 1, onnotice: () => {} })
    t.teardown(() => other.end())
    const started = Date.now()
    const busy = await other.begin(async (sql) => {
      await sql`select id from deposits where id = ${depositId} for update`
      return confirm()
    })
    t.equal(busy.statusCode, 503, 'the wait is bounded')
    t.match(busy.json(), { code: 'idempotency.busy' })
    t.equal(busy.headers['retry-after'], '1')
    t.ok(Date.now() - started >= 9_000, 'after the 10 s bound, not at once')
    t.equal((await balances(ctx, client)).available, 0, 'nothing was done')
    const retry = await confirm()
    t.equal(retry.statusCode, 200, 'the same key, once the lock is gone, does the work')
    t.equal(retry.json().state, 'confirmed')
    t.equal((await balances(ctx, client)).available, 500)
  },
)
