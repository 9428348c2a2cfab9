import t from 'tap'
import { jobsTable } from '../../db/schema/index.js'
import { build } from '../../test/helper.js'

t.setTimeout(60_000)

t.test('a refused form lists every invalid field, in words, beside the code and message', async (t) => {
  const { call, register, app } = await build(t)
  const client = await register('Client')
  const response = await call({
    method: 'POST',
    url: '/api/v1/jobs',
    token: client.token,
    payload: { title: '', description: 'A landing page', arrangement: 'fixed', currency: 'XXX', budgetMin: -5 },
  })
  t.equal(response.statusCode, 400)
  const body = response.json()
  t.equal(body.code, 'request.invalid', 'the stable code stays')
  t.type(body.message, 'string')
  const byField = Object.fromEntries(body.errors.map((e: { field: string; message: string }) => [e.field, e.message]))
  t.match(
    byField,
    { title: 'must not be empty', budgetMin: 'must be at least 0', currency: /^must be one of: / },
    'all three fields, not only the first',
  )
  t.equal(body.errors.length, 3)
  t.match(body.errors.find((e: { field: string }) => e.field === 'currency').message, /^must be one of: .*USD.*EUR/)
  for (const error of body.errors)
    t.notMatch(error.message, /budgetMin|currency|title|\/|NOT|>=/, 'words, no names or symbols')
  t.same(
    Object.fromEntries(body.errors.map((e: { field: string; label: string }) => [e.field, e.label])),
    { title: 'Title', budgetMin: 'Minimum budget', currency: 'Currency' },
    'each field is also named in words',
  )
  t.equal(body.message, 'Title must not be empty (and 2 more fields)', 'the message names the field in words')
  t.notMatch(body.message, /body\.|budgetMin|NOT/, 'no path of the request, no validator wording')
  t.same(await app.db.select().from(jobsTable), [], 'nothing was created')

  const extra = (
    await call({
      method: 'POST',
      url: '/api/v1/jobs',
      token: client.token,
      payload: { title: 'Ok', description: 'Ok', arrangement: 'weekly', currency: 'USD', role: 'operator' },
    })
  ).json()
  t.same(
    new Set(extra.errors.map((e: { field: string }) => e.field)),
    new Set(['arrangement', 'role']),
    'an unknown field and a wrong choice, both listed',
  )
  t.equal(extra.errors.find((e: { field: string }) => e.field === 'role').message, 'is not an accepted field')
})
