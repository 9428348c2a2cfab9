import t from 'tap'
import { build, type TestApp } from '../../../test/helper.js'

t.setTimeout(60_000)

const me = (test: TestApp, token: string) => test.call({ method: 'GET', url: '/api/v1/me', token })

/** Polls until `check` holds (another instance learns through the bus) or 2 s pass. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 2000
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return check()
}

t.test('a session that was just used is refused at once after logout or revocation', async (t) => {
  const test = await build(t)
  const user = await test.register('Remy')
  const laptop = await test.call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password: user.password },
  })
  const phone = await test.call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password: user.password },
  })
  const tokens = [user.token, laptop.json().token as string, phone.json().token as string]
  for (const token of tokens) t.equal((await me(test, token)).statusCode, 200, 'each session works (and is looked up)')

  const renamed = await test.call({ method: 'PATCH', url: '/api/v1/me', token: tokens[1], payload: { name: 'Remy B' } })
  t.equal(renamed.statusCode, 200)
  for (const token of tokens) t.equal((await me(test, token)).json().name, 'Remy B', 'every session sees the new name')

  const revoked = await test.app.accounts.revokeSessions(user.id)
  t.equal(revoked.length, 3, 'all three sessions revoked')
  for (const token of tokens) t.equal((await me(test, token)).statusCode, 401, 'a revoked session is refused at once')
  t.same(await test.app.accounts.revokeSessions(user.id), [], 'nothing left to revoke')
})

t.test('revoking all but the current session keeps only that one', async (t) => {
  const test = await build(t)
  const user = await test.register('Ana')
  const other = await test.call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password: user.password },
  })
  const current = await test.app.accounts.authenticate(user.token)
  t.ok(current)
  t.equal((await me(test, other.json().token)).statusCode, 200)
  const revoked = await test.app.accounts.revokeSessions(user.id, { exceptSessionId: current!.sessionId })
  t.equal(revoked.length, 1)
  t.equal((await me(test, other.json().token)).statusCode, 401, 'the other device is signed out')
  t.equal((await me(test, user.token)).statusCode, 200, 'the current device stays signed in')
  const stranger = await test.register('Stranger')
  t.same(
    await test.app.accounts.revokeSessions(stranger.id, { sessionId: current!.sessionId }),
    [],
    "a user cannot revoke someone else's session",
  )
  t.equal((await me(test, user.token)).statusCode, 200)
})

t.test('with Redis, a logout or a profile change on one instance reaches the other at once', async (t) => {
  const test = await build(t)
  if (!test.config.redisUrl) {
    t.pass('several instances need Redis between them (REDIS_URL)')
    return
  }
  const other = await build(t, { sameDatabaseAs: test })
  const user = await test.register('Noor')
  t.equal((await me(other, user.token)).json().name, 'Noor', 'the other instance knows the session (and holds it)')

  t.equal(
    (await test.call({ method: 'PATCH', url: '/api/v1/me', token: user.token, payload: { name: 'Noor K' } }))
      .statusCode,
    200,
  )
  t.ok(await eventually(async () => (await me(other, user.token)).json().name === 'Noor K'), 'the new name shows there')

  t.equal((await test.call({ method: 'POST', url: '/api/v1/auth/logout', token: user.token })).statusCode, 204)
  t.ok(await eventually(async () => (await me(other, user.token)).statusCode === 401), 'signed out there too')
})
