import t from 'tap'
import { buildWithSmtp as setup, mailedToken } from '../../../test/fixtures/account-mail.js'
import { HOUR, MINUTE } from '../../clock.js'

t.setTimeout(120_000)

t.test('registration mails a single-use verification link; /me shows when it was used', async (t) => {
  const { harness, smtp } = await setup(t)
  const { call, register } = harness
  const ada = await register('Ada')
  const me = async () => (await call({ method: 'GET', url: '/api/v1/me', token: ada.token })).json()
  t.equal((await me()).emailVerifiedAt, null, 'unverified at first')

  const token = await mailedToken(harness, smtp, ada.email, 'verify-email')
  const [mail] = smtp.mails
  t.match(mail!.subject, /Confirm your email/)
  t.match(mail!.html, /<a href="http:\/\/localhost:3000\/verify-email\?token=/)

  const verified = await call({ method: 'POST', url: '/api/v1/verify-email', payload: { token } })
  t.equal(verified.statusCode, 200)
  t.equal(verified.json().emailVerifiedAt, harness.clock.now().toISOString())
  t.equal((await me()).emailVerifiedAt, harness.clock.now().toISOString(), 'GET /me shows it at once')

  const reused = await call({ method: 'POST', url: '/api/v1/verify-email', payload: { token } })
  t.equal(reused.statusCode, 400, 'a used link is refused')
  t.equal(reused.json().code, 'accounts.invalid_link')

  const again = await call({ method: 'POST', url: '/api/v1/me/verify-email/send', token: ada.token })
  t.equal(again.statusCode, 409, 'a verified address needs no new link')
})

t.test('a tampered or expired link is refused and verifies nothing; a new link works', async (t) => {
  const { harness, smtp } = await setup(t)
  const { call, register, clock } = harness
  const bo = await register('Bo')
  const token = await mailedToken(harness, smtp, bo.email, 'verify-email')
  const [payload, signature] = token.split('.') as [string, string]
  const flipped = (payload[5] === 'A' ? 'B' : 'A') + ''
  const tampered = `${payload.slice(0, 5)}${flipped}${payload.slice(6)}.${signature}`
  for (const bad of [tampered, `${payload}.${signature.slice(0, -1)}x`, 'nonsense', token.slice(0, -3)]) {
    const response = await call({ method: 'POST', url: '/api/v1/verify-email', payload: { token: bad } })
    t.equal(response.statusCode, 400)
    t.equal(response.json().code, 'accounts.invalid_link')
  }

  clock.advance(24 * HOUR + MINUTE)
  const expired = await call({ method: 'POST', url: '/api/v1/verify-email', payload: { token } })
  t.equal(expired.statusCode, 400, 'a link older than 24 hours is refused')
  const me = await call({ method: 'GET', url: '/api/v1/me', token: bo.token })
  t.equal(me.json().emailVerifiedAt, null)

  const send = await call({ method: 'POST', url: '/api/v1/me/verify-email/send', token: bo.token })
  t.equal(send.statusCode, 202)
  const fresh = await mailedToken(harness, smtp, bo.email, 'verify-email', 2)
  t.not(fresh, token)
  const ok = await call({ method: 'POST', url: '/api/v1/verify-email', payload: { token: fresh } })
  t.equal(ok.statusCode, 200)
  t.ok(ok.json().emailVerifiedAt)
})

t.test('asking for a link needs a session; nothing is blocked for an unverified account', async (t) => {
  const { harness } = await setup(t)
  const { call, register } = harness
  const anonymous = await call({ method: 'POST', url: '/api/v1/me/verify-email/send' })
  t.equal(anonymous.statusCode, 401)
  const cy = await register('Cy')
  const profile = await call({ method: 'PATCH', url: '/api/v1/me', token: cy.token, payload: { headline: 'Writer' } })
  t.equal(profile.statusCode, 200, 'an unverified account edits its profile')
  const empty = await call({ method: 'POST', url: '/api/v1/verify-email', payload: {} })
  t.equal(empty.statusCode, 400)
})
