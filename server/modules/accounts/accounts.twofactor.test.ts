import { Secret, TOTP } from 'otpauth'
import t from 'tap'
import { build, type TestApp, type TestUser } from '../../../test/helper.js'

t.setTimeout(90_000)

const STEP = 30_000

function codeAt(secret: string, at: Date): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: at.getTime(),
  })
}

/** Turns 2FA on for `user`; its secret and recovery codes. */
async function enableTwoFactor(test: TestApp, user: TestUser): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await test.call({ method: 'POST', url: '/api/v1/me/2fa/setup', token: user.token })
  const secret = setup.json().secret as string
  const enabled = await test.call({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    token: user.token,
    payload: { code: codeAt(secret, test.clock.now()) },
  })
  if (enabled.statusCode !== 200) throw new Error(`enable failed: ${enabled.body}`)
  return { secret, recoveryCodes: enabled.json().recoveryCodes }
}

async function passwordStep(test: TestApp, user: TestUser) {
  return test.call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password: user.password },
  })
}

async function codeStep(test: TestApp, challenge: string, code: string) {
  return test.call({ method: 'POST', url: '/api/v1/sessions/2fa', payload: { challenge, code } })
}

t.test('enrolment, then signing in takes the password and a code from the app', async (t) => {
  const test = await build(t)
  const { call, clock } = test
  const user = await test.register('Tove')
  const laptop = (await passwordStep(test, user)).json().token as string

  t.same((await call({ method: 'GET', url: '/api/v1/me/2fa', token: user.token })).json(), {
    enabled: false,
    enabledAt: null,
    recoveryCodesLeft: 0,
  })
  const setup = await call({ method: 'POST', url: '/api/v1/me/2fa/setup', token: user.token })
  t.equal(setup.statusCode, 200)
  const { secret, uri, qr } = setup.json()
  t.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret')
  t.match(uri, /^otpauth:\/\/totp\/Workroom:[^?]+\?.*secret=/, 'an otpauth:// key URI')
  t.ok(uri.includes(encodeURIComponent(user.email)), 'labelled with the email')
  t.match(Buffer.from(qr.split(',')[1], 'base64').toString(), /^<svg/, 'the QR code is an SVG data URL')

  const wrong = await call({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    token: user.token,
    payload: { code: '000000' === codeAt(secret, clock.now()) ? '111111' : '000000' },
  })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().code, 'accounts.bad_code')
  t.equal((await passwordStep(test, user)).statusCode, 200, 'not on until a code from the secret is entered')

  const enableCode = codeAt(secret, clock.now())
  const enabled = await call({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    token: user.token,
    payload: { code: enableCode },
  })
  t.equal(enabled.statusCode, 200)
  const codes = enabled.json().recoveryCodes as string[]
  t.equal(codes.length, 10, 'ten recovery codes')
  t.equal(new Set(codes).size, 10, 'all different')
  for (const code of codes) t.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/)
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: laptop })).statusCode, 401, 'other sessions end')
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: user.token })).statusCode, 200, 'this one stays')
  const status = (await call({ method: 'GET', url: '/api/v1/me/2fa', token: user.token })).json()
  t.equal(status.enabled, true)
  t.equal(status.recoveryCodesLeft, 10)
  const again = await call({ method: 'POST', url: '/api/v1/me/2fa/setup', token: user.token })
  t.equal(again.statusCode, 409, 'no new secret while 2FA is on')
  t.notOk('secret' in again.json(), 'the secret is never shown again')

  const first = await passwordStep(test, user)
  t.equal(first.statusCode, 202, 'the password alone gives no session')
  const step = first.json()
  t.equal(step.twoFactorRequired, true)
  t.notOk('token' in step)
  t.notOk(
    first.cookies.some((c) => c.name === 'wr_session'),
    'and no cookie',
  )
  t.equal(new Date(step.expiresAt).getTime() - clock.now().getTime(), 5 * 60_000, 'the challenge lasts 5 minutes')

  const replayed = await codeStep(test, step.challenge, enableCode)
  t.equal(replayed.statusCode, 401, 'the code used to enable cannot sign in (same time step)')
  t.equal(replayed.json().code, 'accounts.bad_code')

  clock.advance(STEP)
  const code = codeAt(secret, clock.now())
  const signedIn = await codeStep(test, step.challenge, code)
  t.equal(signedIn.statusCode, 200)
  const session = signedIn.json()
  t.equal(session.user.id, user.id)
  t.ok(
    signedIn.cookies.some((c) => c.name === 'wr_session' && c.httpOnly),
    'the session cookie is set',
  )
  t.equal((await call({ method: 'GET', url: '/api/v1/me', token: session.token })).statusCode, 200)

  const reused = await codeStep(test, step.challenge, code)
  t.equal(reused.statusCode, 401)
  t.equal(reused.json().code, 'accounts.challenge_expired', 'a challenge signs in once')
  const second = (await passwordStep(test, user)).json().challenge as string
  const sameCode = await codeStep(test, second, code)
  t.equal(sameCode.statusCode, 401, 'the same code (same time step) twice is refused')
  clock.advance(STEP)
  t.equal((await codeStep(test, second, codeAt(secret, clock.now()))).statusCode, 200, 'the next step’s code works')

  const late = (await passwordStep(test, user)).json().challenge as string
  clock.advance(5 * 60_000 + 1)
  const expired = await codeStep(test, late, codeAt(secret, clock.now()))
  t.equal(expired.statusCode, 401)
  t.equal(expired.json().code, 'accounts.challenge_expired', 'a challenge older than 5 minutes is refused')
})

t.test('a recovery code signs in once', async (t) => {
  const test = await build(t)
  const user = await test.register('Rune')
  const { recoveryCodes } = await enableTwoFactor(test, user)
  const [code] = recoveryCodes as [string]

  const challenge = (await passwordStep(test, user)).json().challenge as string
  const typed = code.toLowerCase().replace(/-/g, ' ')
  const signedIn = await codeStep(test, challenge, typed)
  t.equal(signedIn.statusCode, 200, 'typed in lower case with spaces, it still works')
  t.equal((await test.call({ method: 'GET', url: '/api/v1/me', token: signedIn.json().token })).statusCode, 200)

  const next = (await passwordStep(test, user)).json().challenge as string
  const twice = await codeStep(test, next, code)
  t.equal(twice.statusCode, 401, 'a used recovery code is refused')
  t.equal(twice.json().code, 'accounts.bad_code')
  t.equal((await codeStep(test, next, recoveryCodes[1]!)).statusCode, 200, 'another one works')
  const status = (await test.call({ method: 'GET', url: '/api/v1/me/2fa', token: user.token })).json()
  t.equal(status.recoveryCodesLeft, 8)
})

t.test('wrong codes are throttled per account like wrong passwords; a challenge takes five', async (t) => {
  const test = await build(t, { env: { LOGIN_MAX_FAILURES: '6', LOGIN_WINDOW_MINUTES: '15' } })
  const { clock } = test
  const user = await test.register('Wanda')
  const { secret } = await enableTwoFactor(test, user)
  clock.advance(STEP)
  const good = codeAt(secret, clock.now())
  const bad = good === '123456' ? '654321' : '123456'

  const first = (await passwordStep(test, user)).json().challenge as string
  for (let i = 0; i < 5; i++) t.equal((await codeStep(test, first, bad)).statusCode, 401, `wrong code ${i + 1}`)
  const ended = await codeStep(test, first, good)
  t.equal(ended.json().code, 'accounts.challenge_expired', 'after five wrong codes the password is asked again')

  const second = (await passwordStep(test, user)).json().challenge as string
  t.equal((await codeStep(test, second, bad)).statusCode, 401, 'the sixth wrong code in the window')
  const throttled = await codeStep(test, second, good)
  t.equal(throttled.statusCode, 429, 'then even the right code waits')
  t.equal(throttled.json().code, 'request.rate_limited')
  t.equal(throttled.headers['retry-after'], '900')

  clock.advance(15 * 60_000 + 1)
  const third = (await passwordStep(test, user)).json().challenge as string
  t.equal((await codeStep(test, third, codeAt(secret, clock.now()))).statusCode, 200, 'after the window it works')
})

t.test('turning 2FA off takes the password and a code; sign-in is one step again', async (t) => {
  const test = await build(t)
  const { call, clock } = test
  const user = await test.register('Dag')
  const { secret, recoveryCodes } = await enableTwoFactor(test, user)
  clock.advance(STEP)

  const noPassword = await call({
    method: 'POST',
    url: '/api/v1/me/2fa/disable',
    token: user.token,
    payload: { password: 'not the password at all', code: codeAt(secret, clock.now()) },
  })
  t.equal(noPassword.statusCode, 401)
  t.equal(noPassword.json().code, 'accounts.bad_credentials')
  const noCode = await call({
    method: 'POST',
    url: '/api/v1/me/2fa/disable',
    token: user.token,
    payload: { password: user.password, code: '12345x' },
  })
  t.equal(noCode.statusCode, 401)
  t.equal((await passwordStep(test, user)).statusCode, 202, 'still on after the refusals')

  const off = await call({
    method: 'POST',
    url: '/api/v1/me/2fa/disable',
    token: user.token,
    payload: { password: user.password, code: recoveryCodes[0]! },
  })
  t.equal(off.statusCode, 204, 'a recovery code turns it off too (the phone is lost)')
  t.same((await call({ method: 'GET', url: '/api/v1/me/2fa', token: user.token })).json().enabled, false)
  const login = await passwordStep(test, user)
  t.equal(login.statusCode, 200)
  t.ok(login.json().token && login.json().user.id === user.id, 'the same answer as before 2FA')
  const disabledAgain = await call({
    method: 'POST',
    url: '/api/v1/me/2fa/disable',
    token: user.token,
    payload: { password: user.password, code: codeAt(secret, clock.now()) },
  })
  t.equal(disabledAgain.statusCode, 409)
})

t.test('new recovery codes replace the old ones: password and a code; the old ones stop working', async (t) => {
  const test = await build(t)
  const { call, clock } = test
  const user = await test.register('Nils')
  const { secret, recoveryCodes: old } = await enableTwoFactor(test, user)
  const renew = (payload: Record<string, unknown>) =>
    call({ method: 'POST', url: '/api/v1/me/2fa/recovery-codes', token: user.token, payload })
  const left = async () =>
    (await call({ method: 'GET', url: '/api/v1/me/2fa', token: user.token })).json().recoveryCodesLeft as number
  // Two used up signing in.
  for (const code of old.slice(0, 2)) {
    const challenge = (await passwordStep(test, user)).json().challenge as string
    t.equal((await codeStep(test, challenge, code)).statusCode, 200)
  }
  t.equal(await left(), 8)
  clock.advance(STEP)

  const wrongPassword = await renew({ password: 'not the password at all', code: codeAt(secret, clock.now()) })
  t.match(wrongPassword, { statusCode: 401 }, 'a wrong password is refused')
  t.equal(wrongPassword.json().code, 'accounts.bad_credentials')
  const wrongCode = await renew({ password: user.password, code: old[0]! })
  t.equal(wrongCode.statusCode, 401, 'a used recovery code is refused')
  t.equal((await renew({ password: user.password })).statusCode, 400, 'the code is required')
  t.equal(await left(), 8, 'nothing changed after the refusals')

  const renewed = await renew({ password: user.password, code: codeAt(secret, clock.now()) })
  t.equal(renewed.statusCode, 200)
  const fresh = renewed.json().recoveryCodes as string[]
  t.equal(new Set(fresh).size, 10, 'ten new codes')
  t.notOk(
    fresh.some((code) => old.includes(code)),
    'none of them an old one',
  )
  t.equal(await left(), 10)
  const challenge = (await passwordStep(test, user)).json().challenge as string
  t.equal((await codeStep(test, challenge, old[5]!)).statusCode, 401, 'an old unused code no longer signs in')
  t.equal((await codeStep(test, challenge, fresh[0]!)).statusCode, 200, 'a new one does')
  t.equal(await left(), 9)
  t.equal(
    (await call({ method: 'GET', url: '/api/v1/me', token: user.token })).statusCode,
    200,
    'the session that renewed them stays signed in',
  )

  clock.advance(STEP)
  await call({
    method: 'POST',
    url: '/api/v1/me/2fa/disable',
    token: user.token,
    payload: { password: user.password, code: codeAt(secret, clock.now()) },
  })
  clock.advance(STEP)
  const off = await renew({ password: user.password, code: codeAt(secret, clock.now()) })
  t.equal(off.statusCode, 409, 'with two-factor sign-in off there are no codes to renew')
  t.equal(off.json().code, 'accounts.two_factor_disabled')
})

t.test('bad input to the code step changes nothing and never answers 5xx', async (t) => {
  const test = await build(t)
  for (const payload of [
    {},
    { challenge: 'x' },
    { challenge: 'x'.repeat(500), code: '123456' },
    { challenge: 'nope', code: '12' },
  ]) {
    const response = await test.call({ method: 'POST', url: '/api/v1/sessions/2fa', payload })
    t.equal(response.statusCode, 400, JSON.stringify(payload).slice(0, 60))
  }
  const unknown = await codeStep(test, 'not-a-challenge', '123456')
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.json().code, 'accounts.challenge_expired')
  const user = await test.register('Ivo')
  const unenrolled = await test.call({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    token: user.token,
    payload: { code: '123456' },
  })
  t.equal(unenrolled.statusCode, 409)
  t.equal((await test.call({ method: 'GET', url: '/api/v1/me/2fa' })).statusCode, 401, 'signed-in only')
})
