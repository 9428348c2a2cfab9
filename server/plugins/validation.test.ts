// Validators and serializers compile on a route's first use; this compiles all of them, so a
// schema Ajv or the serializer cannot compile fails the suite, not a user's first request.
import t from 'tap'
import { build } from '../../test/helper.js'
import { compileRouteSchemas, routesOf } from './validation.js'

t.test('every route schema compiles', async (t) => {
  const { app } = await build(t)
  const routes = routesOf(app)
  t.ok(routes.length > 100, `${routes.length} routes registered`)
  const compiled = compileRouteSchemas(routes)
  t.ok(compiled > routes.length, `${compiled} validators and serializers compiled`)
})

t.test('a validator compiled on first use still answers 400 with the field, then accepts', async (t) => {
  const { call } = await build(t)
  const bad = await call({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'a@example.com' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: String, message: /password|name/i })
  const good = await call({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: 'a@example.com', password: 'correct horse battery staple', name: 'A' },
  })
  t.equal(good.statusCode, 201)
  t.type(good.json().user.id, 'string', 'the response serializer wrote the user')
})
