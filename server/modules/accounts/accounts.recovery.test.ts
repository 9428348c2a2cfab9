import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildWithSmtp, mailedToken } from '../../../test/fixtures/account-mail.js'
import { addressOf } from '../../../test/fixtures/smtp.js'
import { listen, openEvents } from '../../../test/fixtures/websocket.js'
import { MINUTE } from '../../clock.js'
import { CloseCode } from '../../plugins/sockets.js'
import { RESET_ANSWER_MS } from './accounts.recovery.js'

t.setTimeout(120_000)

const NEW_PASSWORD = 'a brand new passphrase'

t.test('a reset request answers alike, in the same time, for known and unknown emails', async (t) => {
  const { harness, smtp } = await buildWithSmtp(t)
  const { call, register, app } = harness
  const ada = await register('Ada')
  await app.mail.drain()
  const before = smtp.mails.length
  const ask = async (email: string) => {
    const started = performance.now()
    const response = await call({ method: 'POST', url: '/api/v1/password-reset', payload: { email } })
    return { response, ms: performance.now() - started }
  }
  const known = await ask(ada.email.toUpperCase())
  // An address of its own each run: reset requests are counted per address, in Redis when
  // REDIS_URL is set, where a fixed address ran out of requests after a few runs in an hour.
  const unknown = await ask(`nobody.${randomUUID()}@example.com`)
  t.equal(known.response.statusCode, 202)
  t.equal(unknown.response.statusCode, 202)
  t.equal(known.response.body, unknown.response.body, 'the same body')
  for (const { ms } of [known, unknown])
    t.ok(ms >= RESET_ANSWER_MS - 5, `answered after the floor (${ms.toFixed(0)} ms)`)
  t.ok(
    Math.abs(known.ms - unknown.ms) < RESET_ANSWER_MS / 2,
    `the same time class (${known.ms.toFixed(0)} vs ${unknown.ms.toFixed(0)} ms)`,
  )
  await app.mail.drain()
  const mails = smtp.mails.slice(before)
  t.equal(mails.length, 1, 'only the known address gets a mail')
  t.equal(addressOf(mails[0]!), ada.email)
  t.match(mails[0]!.subject, /Reset your Workroom password/)
})

t.test('a reset sets the password, ends every session, closes the live socket, and works once', async (t) => {
  const { harness, smtp } = await buildWithSmtp(t)
  const { call, register, app } = harness
  const bo = await register('Bo')
  const login = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: bo.email, password: bo.password },
  })
  const otherToken = login.json().token as string
  const base = await listen(app)
  const events = await openEvents(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${bo.token}` } })
  t.teardown(() => events.socket.close())

  await call({ method: 'POST', url: '/api/v1/password-reset', payload: { email: bo.email } })
  const token = await mailedToken(harness, smtp, bo.email, 'reset-password')

  const short = await call({
    method: 'POST',
    url: '/api/v1/password-reset/confirm',
    payload: { token, password: 'short' },
  })
  t.equal(short.statusCode, 400, 'a too-short password is refused')
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: bo.token })).statusCode, 200, 'and changes nothing')

  const closed = events.closed(10_000)
  const reset = await call({
    method: 'POST',
    url: '/api/v1/password-reset/confirm',
    payload: { token, password: NEW_PASSWORD },
  })
  t.equal(reset.statusCode, 204)
  t.equal(await closed, CloseCode.sessionEnded, 'the open event socket was closed')
  for (const old of [bo.token, otherToken]) {
    t.equal((await call({ method: 'GET', url: '/api/v1/me', token: old })).statusCode, 401, 'every session ended')
  }
  const oldPassword = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: bo.email, password: bo.password },
  })
  t.equal(oldPassword.statusCode, 401)
  const signedIn = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: bo.email, password: NEW_PASSWORD },
  })
  t.equal(signedIn.statusCode, 200, 'the new password signs in')
  t.ok(signedIn.json().user.emailVerifiedAt, 'the mailed link proved the address')

  const reused = await call({
    method: 'POST',
    url: '/api/v1/password-reset/confirm',
    payload: { token, password: 'yet another passphrase' },
  })
  t.equal(reused.statusCode, 400, 'the link works once')
  t.equal(reused.json().code, 'accounts.invalid_link')
})

t.test('a reset link expires after 30 minutes; a newer link replaces an older one', async (t) => {
  const { harness, smtp } = await buildWithSmtp(t)
  const { call, register, clock } = harness
  const cy = await register('Cy')
  await call({ method: 'POST', url: '/api/v1/password-reset', payload: { email: cy.email } })
  const first = await mailedToken(harness, smtp, cy.email, 'reset-password')
  await call({ method: 'POST', url: '/api/v1/password-reset', payload: { email: cy.email } })
  const second = await mailedToken(harness, smtp, cy.email, 'reset-password', 2)
  const confirm = (token: string) =>
    call({ method: 'POST', url: '/api/v1/password-reset/confirm', payload: { token, password: NEW_PASSWORD } })
  t.equal((await confirm(first)).statusCode, 400, 'the older link no longer works')
  clock.advance(30 * MINUTE + 1000)
  t.equal((await confirm(second)).statusCode, 400, 'expired after 30 minutes')
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: cy.token })).statusCode, 200, 'nothing changed')
})

t.test('reset requests are rate limited per address', async (t) => {
  const { harness } = await buildWithSmtp(t)
  const codes: number[] = []
  // An address of this run's own: with REDIS_URL the budgets live in the shared Redis.
  const email = `x.${randomUUID()}@example.com`
  for (let i = 0; i < 6; i++) {
    const response = await harness.call({
      method: 'POST',
      url: '/api/v1/password-reset',
      payload: { email },
    })
    codes.push(response.statusCode)
  }
  t.same(codes, [202, 202, 202, 202, 202, 429])
})

t.test('changing the password needs the current one and ends the other sessions', async (t) => {
  const { harness, smtp } = await buildWithSmtp(t)
  const { call, register, app } = harness
  const di = await register('Di')
  const other = (
    await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email: di.email, password: di.password } })
  ).json().token as string
  const change = (currentPassword: string) =>
    call({
      method: 'POST',
      url: '/api/v1/me/password',
      token: di.token,
      payload: { currentPassword, newPassword: NEW_PASSWORD },
    })
  const wrong = await change('not my password at all')
  t.equal(wrong.statusCode, 403)
  t.equal(wrong.json().code, 'accounts.wrong_password')
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: other })).statusCode, 200, 'a refusal ends nothing')

  t.equal((await change(di.password)).statusCode, 204)
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: di.token })).statusCode, 200, 'this session stays')
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: other })).statusCode, 401, 'the other one ended')
  const signIn = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: di.email, password: NEW_PASSWORD },
  })
  t.equal(signIn.statusCode, 200)
  await app.mail.drain()
  t.ok(
    smtp.mails.some((mail) => /password was changed/.test(mail.subject ?? '')),
    'a notice was mailed',
  )
})

t.test('changing the email needs the password and takes effect once the new address confirms', async (t) => {
  const { harness, smtp } = await buildWithSmtp(t)
  const { call, register } = harness
  const ed = await register('Ed')
  const taken = await register('Fay')
  const change = (password: string, email: string) =>
    call({ method: 'POST', url: '/api/v1/me/email', token: ed.token, payload: { password, email } })
  t.equal((await change('wrong password here', 'ed.new@example.com')).statusCode, 403)
  t.equal((await change(ed.password, taken.email)).statusCode, 409, 'an address in use is refused')
  t.equal((await change(ed.password, 'not-an-email')).statusCode, 400)

  const asked = await change(ed.password, 'Ed.New@Example.com')
  t.equal(asked.statusCode, 202)
  t.equal(asked.json().pendingEmail, 'ed.new@example.com')
  const token = await mailedToken(harness, smtp, 'ed.new@example.com', 'verify-email')
  t.ok(
    smtp.mails.some((mail) => addressOf(mail) === ed.email && /being changed/.test(mail.subject ?? '')),
    'the old address got a notice',
  )
  const me = async () => (await call({ method: 'GET', url: '/api/v1/me', token: ed.token })).json()
  t.equal((await me()).email, ed.email, 'unchanged until confirmed')

  const confirmed = await call({ method: 'POST', url: '/api/v1/verify-email', payload: { token } })
  t.equal(confirmed.statusCode, 200)
  t.equal((await me()).email, 'ed.new@example.com')
  t.ok((await me()).emailVerifiedAt)
  const signIn = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: 'ed.new@example.com', password: ed.password },
  })
  t.equal(signIn.statusCode, 200, 'signs in with the new address')
})
