import t from 'tap'
import { build } from '../../../test/helper.js'
import { makeOperator } from '../../../test/money.js'

t.setTimeout(60_000)

t.test('operators list and search accounts and change roles; nobody else can', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx, 'Olga Ops')
  ctx.clock.advance(1_000) // distinct creation times: the list's order is then the one a reader expects
  const fred = await ctx.register('Fred 50%_off')
  ctx.clock.advance(1_000)
  const wilma = await ctx.register('Wilma')
  const list = (query: string, token = operator.token) =>
    ctx.call({ method: 'GET', url: `/api/v1/admin/users${query}`, token })

  const all = await list('?limit=100')
  t.equal(all.statusCode, 200)
  t.same(
    (all.json().items as Array<{ name: string }>).map((u) => u.name),
    ['Wilma', 'Fred 50%_off', 'Olga Ops'],
    'newest first',
  )
  t.same(
    (await list('?q=50%25_')).json().items.map((u: { id: string }) => u.id),
    [fred.id],
    'a part of the name',
  )
  t.same(
    (await list(`?q=${encodeURIComponent(wilma.email.slice(0, 8))}`)).json().items[0].id,
    wilma.id,
    'a part of the email',
  )
  t.same((await list('?q=%25%25')).json().items, [], "'%' is plain text, not a wildcard")
  t.same(
    (await list('?role=operator')).json().items.map((u: { id: string }) => u.id),
    [operator.id],
  )

  const first = await list('?limit=2')
  t.equal(first.json().items.length, 2)
  const rest = await list(`?limit=2&cursor=${encodeURIComponent(first.json().nextCursor)}`)
  t.same(
    rest.json().items.map((u: { name: string }) => u.name),
    ['Olga Ops'],
  )
  t.equal(rest.json().nextCursor, null)

  t.equal((await list('', fred.token)).statusCode, 403, 'a user may not list accounts')
  t.equal((await ctx.call({ method: 'GET', url: '/api/v1/admin/users' })).statusCode, 401)
  const byUser = await ctx.call({
    method: 'POST',
    url: `/api/v1/admin/users/${wilma.id}/role`,
    token: fred.token,
    payload: { role: 'operator' },
  })
  t.equal(byUser.statusCode, 403)

  const promoted = await ctx.call({
    method: 'POST',
    url: `/api/v1/admin/users/${fred.id}/role`,
    token: operator.token,
    payload: { role: 'operator' },
  })
  t.equal(promoted.statusCode, 200)
  t.equal(promoted.json().role, 'operator')
  t.equal((await list('', fred.token)).statusCode, 200, "the new operator's session has the role at once")

  const own = await ctx.call({
    method: 'POST',
    url: `/api/v1/admin/users/${operator.id}/role`,
    token: operator.token,
    payload: { role: 'user' },
  })
  t.equal(own.statusCode, 409, 'no operator demotes themselves')
  t.equal(own.json().code, 'accounts.own_role')
  const bad = await ctx.call({
    method: 'POST',
    url: `/api/v1/admin/users/${wilma.id}/role`,
    token: operator.token,
    payload: { role: 'admin' },
  })
  t.equal(bad.statusCode, 400)
  const missing = await ctx.call({
    method: 'POST',
    url: '/api/v1/admin/users/00000000-0000-4000-8000-000000000000/role',
    token: operator.token,
    payload: { role: 'user' },
  })
  t.equal(missing.statusCode, 404)
  t.equal((await list('?role=operator')).json().items.length, 2, 'a refused change changed nothing')
})
