import { randomBytes } from 'node:crypto'
import t from 'tap'
import { build } from '../../../test/helper.js'
import { MINUTE } from '../../clock.js'

t.setTimeout(90_000)

/** A fresh client address, so counts kept in a shared Redis by earlier runs never meet this one. */
const someIp = () => `10.${randomBytes(3).join('.')}`

const login = (call: Awaited<ReturnType<typeof build>>['call'], email: string, password: string) =>
  call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })

t.test('the 11th failed login for one email within 15 minutes answers 429', async (t) => {
  const { call, register, clock, config } = await build(t)
  t.equal(config.loginMaxFailures, 10, 'the documented default')
  const user = await register('Target')
  for (let i = 1; i <= 10; i++) {
    const response = await login(call, user.email, `wrong password ${i}`)
    t.equal(response.statusCode, 401, `failure ${i} answers 401`)
  }
  const eleventh = await login(call, user.email, 'wrong password 11')
  t.equal(eleventh.statusCode, 429)
  t.equal(eleventh.json().code, 'request.rate_limited')
  t.match(eleventh.json().message, /Too many failed sign-ins for this email/)
  t.ok(Number(eleventh.headers['retry-after']) > 0, 'Retry-After is set')
  t.equal(eleventh.headers['ratelimit-limit'], '10')
  t.equal(eleventh.headers['ratelimit-remaining'], '0')
  const right = await login(call, user.email, user.password)
  t.equal(right.statusCode, 429, 'even the right password waits while throttled')

  const otherEmail = await login(call, 'someone.else@example.com', 'whatever it is')
  t.equal(otherEmail.statusCode, 401, 'other emails are not throttled')

  clock.advance(15 * MINUTE + 1000)
  const later = await login(call, user.email, user.password)
  t.equal(later.statusCode, 200, 'after the window the right password works again')
})

t.test('password spraying: the 51st failed login from one IP, over many emails, answers 429', async (t) => {
  const { app, call, register, config } = await build(t)
  t.equal(config.loginMaxFailuresPerIp, 50, 'the documented default')
  const victim = await register('Victim')
  const sprayer = someIp()
  const spray = (email: string, password: string) =>
    call({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: sprayer, payload: { email, password } })
  for (let i = 1; i <= 50; i++) {
    const response = await spray(`person${i}@example.com`, 'Summer2026!')
    if (response.statusCode !== 401) t.fail(`failure ${i} answered ${response.statusCode}`)
  }
  const next = await spray(victim.email, 'Summer2026!')
  t.equal(next.statusCode, 429, 'the 51st attempt is refused before the password is checked')
  t.equal(next.json().code, 'request.rate_limited')
  t.ok(Number(next.headers['retry-after']) > 0, 'Retry-After is set')
  t.ok(Number(next.headers['retry-after']) <= 15 * 60)
  t.equal(next.headers['ratelimit-limit'], '50')
  t.equal((await spray(victim.email, victim.password)).statusCode, 429, 'the right password waits too')

  const elsewhere = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: someIp(),
    payload: { email: victim.email, password: victim.password },
  })
  t.equal(elsewhere.statusCode, 200, 'the account itself is not locked: its owner signs in from another address')

  const good = await call({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: victim.email, password: victim.password },
  })
  t.equal(good.statusCode, 200, 'successful sign-ins do not spend the budget')
})

t.test('registrations per IP per hour: the next one answers 429 and creates nothing', async (t) => {
  const { app, call } = await build(t, { env: { REGISTRATIONS_PER_HOUR: '3' } })
  const ip = someIp()
  const signUp = (i: number) =>
    call({
      method: 'POST',
      url: '/api/v1/auth/register',
      remoteAddress: ip,
      payload: { email: `bulk${i}.${ip}@example.com`, password: 'correct horse battery', name: `Bulk ${i}` },
    })
  for (let i = 1; i <= 3; i++) t.equal((await signUp(i)).statusCode, 201)
  const fourth = await signUp(4)
  t.equal(fourth.statusCode, 429)
  t.equal(fourth.json().code, 'request.rate_limited')
  t.match(fourth.json().message, /3 per 1 h allowed/)
  t.ok(Number(fourth.headers['retry-after']) > 60, 'Retry-After counts to the end of the hour')
  const count = await app.database.query('select count(*)::int as n from users where email = $1', [
    `bulk4.${ip}@example.com`,
  ])
  t.equal(count[0]!.n, 0, 'no account was created')
})
