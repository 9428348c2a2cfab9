// The input limits of docs/input-limits.md: a body nested too deep is refused while it is
// parsed (it once overflowed the idempotency fingerprint into a 500), a route without a body
// schema refuses a body, and the size limit still holds.
import t from 'tap'
import { build } from './helper.js'
import { balances, idem, makeOperator } from './money.js'

t.setTimeout(120_000)

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`

t.test('a deeply nested body on a money route: 400, nothing changes, the route still works', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const user = await ctx.register('Dana')
  const operator = await makeOperator(ctx)
  const asked = await call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: user.token,
    headers: idem(),
    payload: { amount: 5000, currency: 'USD' },
  })
  t.equal(asked.statusCode, 201)
  const confirmUrl = `/api/v1/admin/deposits/${asked.json().id}/confirm`
  const key = 'nested-confirm-1'

  for (const levels of [33, 5_000, 100_000]) {
    const response = await call({
      method: 'POST',
      url: confirmUrl,
      token: operator.token,
      headers: { ...idem(key), 'content-type': 'application/json' },
      payload: `{"a":${nested(levels)}}`,
    })
    t.equal(response.statusCode, 400, `${levels} levels: 400, not 500`)
    t.equal(response.json().code, 'request.too_deep')
    t.match(response.json().message, /more than 32 levels deep/)
  }
  t.same(await balances(ctx, user), { available: 0, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 }, 'no money moved')

  const withBody = await call({
    method: 'POST',
    url: confirmUrl,
    token: operator.token,
    headers: idem(key),
    payload: { note: 'confirm please' },
  })
  t.equal(withBody.statusCode, 400, 'a route that takes no body refuses one')
  t.equal(withBody.json().code, 'request.body_not_accepted')
  const asText = await call({
    method: 'POST',
    url: confirmUrl,
    token: operator.token,
    headers: { ...idem(key), 'content-type': 'text/plain' },
    payload: 'confirm',
  })
  t.equal(asText.statusCode, 400, '...as JSON or as text')
  t.equal((await balances(ctx, user)).available, 0, 'still nothing moved')

  // The refused attempts stored nothing under the key: it confirms now, and replays after.
  const confirmed = await call({ method: 'POST', url: confirmUrl, token: operator.token, headers: idem(key) })
  t.equal(confirmed.statusCode, 200, 'the same key then confirms the deposit')
  t.equal((await balances(ctx, user)).available, 5000)
  const replay = await call({ method: 'POST', url: confirmUrl, token: operator.token, headers: idem(key) })
  t.equal(replay.headers['idempotent-replayed'], 'true', 'a retry with the same (empty) body replays')
  t.equal((await balances(ctx, user)).available, 5000, 'once')
})

t.test('depth and size limits on routes with a body schema', async (t) => {
  const ctx = await build(t)
  const user = await ctx.register('Eli')
  const post = (payload: string) =>
    ctx.call({
      method: 'POST',
      url: '/api/v1/jobs',
      token: user.token,
      headers: { 'content-type': 'application/json' },
      payload,
    })
  const deep = await post(`{"title":"x","skills":${nested(40)}}`)
  t.equal(deep.statusCode, 400)
  t.equal(deep.json().code, 'request.too_deep')
  const brackets = await post(`{"title":"${'['.repeat(100)}","description":"{{{\\"[[["}`)
  t.not(brackets.json().code, 'request.too_deep', 'brackets inside strings do not count')
  t.equal(brackets.statusCode, 400, '(the body is still refused by its schema)')
  const huge = await post(JSON.stringify({ title: 'x'.repeat(ctx.config.bodyLimit) }))
  t.equal(huge.statusCode, 413, 'a body over the size limit: 413')
  t.equal(huge.json().code, 'request.too_large')
  const jobs = await ctx.call({ method: 'GET', url: '/api/v1/jobs?mine=true', token: user.token })
  t.ok(jobs.statusCode < 500, 'the server answers normally afterwards')
})
