import t from 'tap'
import { build } from '../../../test/helper.js'

t.setTimeout(60_000)

t.test('register, login, me, profile, logout', async (t) => {
  const { call } = await build(t)
  const registered = await call({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: 'Cleo@Example.com', password: 'correct horse battery', name: 'Cleo' },
  })
  t.equal(registered.statusCode, 201)
  const body = registered.json()
  t.equal(body.user.email, 'cleo@example.com', 'email is stored lower-cased')
  t.equal(body.user.role, 'user')
  t.notOk('passwordHash' in body.user, 'no password hash in the answer')
  const cookie = registered.cookies.find((c) => c.name === 'wr_session')
  t.ok(cookie, 'a session cookie is set')
  t.equal(cookie?.httpOnly, true)
  t.equal(cookie?.sameSite, 'Lax')

  const again = await call({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: 'cleo@example.com', password: 'another long password', name: 'Imposter' },
  })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'accounts.email_taken')

  const wrong = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: 'cleo@example.com', password: 'not the password' },
  })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().code, 'accounts.bad_credentials')

  const login = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: 'CLEO@example.com ', password: 'correct horse battery' },
  })
  t.equal(login.statusCode, 200)
  const token = login.json().token as string
  t.not(token, body.token, 'each login is a new session')

  const me = await call({ method: 'GET', url: '/api/v1/me', token })
  t.equal(me.statusCode, 200)
  t.equal(me.json().name, 'Cleo')

  const byCookie = await call({ method: 'GET', url: '/api/v1/me', cookies: { wr_session: token } })
  t.equal(byCookie.statusCode, 200, 'the cookie authenticates too')

  const patched = await call({
    method: 'PATCH',
    url: '/api/v1/me',
    token,
    payload: { headline: 'Designer', skills: ['CSS', 'figma', 'css'], hourlyRate: 4500, timeZone: 'Europe/Berlin' },
  })
  t.equal(patched.statusCode, 200)
  t.same(patched.json().skills, ['css', 'figma'], 'skills are normalized and deduplicated')
  t.equal(patched.json().hourlyRate, 4500)

  const badZone = await call({ method: 'PATCH', url: '/api/v1/me', token, payload: { timeZone: 'Mars/Olympus' } })
  t.equal(badZone.statusCode, 400)
  t.equal(badZone.json().code, 'accounts.invalid_time_zone')

  const profile = await call({ method: 'GET', url: `/api/v1/users/${body.user.id}` })
  t.equal(profile.statusCode, 200, 'public profiles need no sign-in')
  t.equal(profile.json().headline, 'Designer')
  t.notOk('email' in profile.json(), 'a public profile does not show the email')

  const missing = await call({ method: 'GET', url: '/api/v1/users/00000000-0000-4000-8000-000000000000' })
  t.equal(missing.statusCode, 404)
  const garbage = await call({ method: 'GET', url: '/api/v1/users/not-an-id' })
  t.equal(garbage.statusCode, 404)

  const logout = await call({ method: 'POST', url: '/api/v1/auth/logout', token })
  t.equal(logout.statusCode, 204)
  const afterLogout = await call({ method: 'GET', url: '/api/v1/me', token })
  t.equal(afterLogout.statusCode, 401, 'the revoked token no longer works')
  const other = await call({ method: 'GET', url: '/api/v1/me', token: body.token })
  t.equal(other.statusCode, 200, 'other sessions of the same account live on')
})

t.test('a role in a body never makes an operator', async (t) => {
  const { call, register } = await build(t)
  const sneaky = await call({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: 'sneaky@example.com', password: 'correct horse battery', name: 'Sneaky', role: 'operator' },
  })
  t.equal(sneaky.statusCode, 400)
  t.equal(sneaky.json().code, 'request.invalid')
  t.match(sneaky.json().message, /^Role is not an accepted field/, 'the field is named in words')
  const login = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: 'sneaky@example.com', password: 'correct horse battery' },
  })
  t.equal(login.statusCode, 401, 'the rejected registration created nothing')

  const user = await register('Plain')
  const patch = await call({
    method: 'PATCH',
    url: '/api/v1/me',
    token: user.token,
    payload: { name: 'Plain', role: 'operator' },
  })
  t.equal(patch.statusCode, 400)
  const me = await call({ method: 'GET', url: '/api/v1/me', token: user.token })
  t.equal(me.json().role, 'user')
  t.equal(me.json().name, 'Plain')
  const operatorOnly = await call({ method: 'GET', url: '/api/v1/me', token: user.token })
  t.equal(operatorOnly.json().role, 'user')
})

t.test('cookie-authenticated writes from a foreign Origin are refused', async (t) => {
  const { call, register } = await build(t)
  const user = await register('Victim')
  const forged = await call({
    method: 'PATCH',
    url: '/api/v1/me',
    cookies: { wr_session: user.token },
    headers: { origin: 'https://evil.example' },
    payload: { name: 'Pwned' },
  })
  t.equal(forged.statusCode, 403)
  t.equal(forged.json().code, 'auth.bad_origin')
  const own = await call({
    method: 'PATCH',
    url: '/api/v1/me',
    cookies: { wr_session: user.token },
    headers: { origin: 'http://localhost:3000' },
    payload: { name: 'Still Me' },
  })
  t.equal(own.statusCode, 200)
  t.equal(own.json().name, 'Still Me')
})

t.test('anonymous and bogus tokens get 401', async (t) => {
  const { call } = await build(t)
  for (const headers of [
    {},
    { authorization: 'Bearer nope' },
    { authorization: 'Basic abc' },
    { authorization: `Bearer ${'x'.repeat(5000)}` },
  ]) {
    const response = await call({ method: 'GET', url: '/api/v1/me', headers })
    t.equal(response.statusCode, 401)
    t.equal(response.json().code, 'auth.required')
    t.type(response.json().requestId, 'string')
  }
})
