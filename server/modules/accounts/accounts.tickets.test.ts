import t from 'tap'
import { build } from '../../../test/helper.js'
import { listen, openEvents } from '../../../test/fixtures/websocket.js'

t.setTimeout(60_000)

t.test(
  'a WebSocket ticket is refused once its session ended, and opens one socket however it is spelled',
  async (t) => {
    const test = await build(t)
    const { app, call } = test
    const base = await listen(app)
    const user = await test.register('Ticket holder')
    const ticket = async (token: string) => {
      const answer = await call({ method: 'POST', url: '/api/v1/realtime/tickets', token })
      t.equal(answer.statusCode, 201)
      return answer.json().ticket as string
    }

    // A signature has several base64url spellings (the last character's low bits are unused):
    // each spelling of a used ticket is refused too.
    const once = await ticket(user.token)
    const first = await openEvents(`${base}/api/v1/events?ticket=${once}`)
    const last = once.at(-1)!
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const sameBits = alphabet[alphabet.indexOf(last) ^ 1]!
    await t.rejects(
      openEvents(`${base}/api/v1/events?ticket=${once.slice(0, -1)}${sameBits}`),
      /HTTP 401/,
      'another spelling of a used ticket',
    )
    first.socket.close()

    const tampered = await ticket(user.token)
    const [body, signature] = tampered.split('.') as [string, string]
    const forged = `${Buffer.from(JSON.stringify({ p: { s: 'someone else', n: 'x' }, e: Date.now() + 60_000 })).toString('base64url')}.${signature}`
    await t.rejects(openEvents(`${base}/api/v1/events?ticket=${forged}`), /HTTP 401/, 'a forged payload')
    t.ok(body.length > 0)

    const second = (
      await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })
    ).json() as { token: string }
    const unused = await ticket(second.token)
    await call({ method: 'POST', url: '/api/v1/auth/logout', token: second.token })
    await t.rejects(openEvents(`${base}/api/v1/events?ticket=${unused}`), /HTTP 401/, 'the session has ended')
    const still = await openEvents(`${base}/api/v1/events?ticket=${await ticket(user.token)}`)
    t.pass('the other session still connects')
    still.socket.close()
  },
)
