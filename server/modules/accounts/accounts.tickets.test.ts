import type { FastifyRequest } from 'fastify'
import t from 'tap'
import { build, type TestApp } from '../../../test/helper.js'
import { listen, openEvents, type EventClient } from '../../../test/fixtures/websocket.js'

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

/** Three people, a way to get tickets, and a ticket whose session ended before it was used. */
async function crowdOfTickets(test: TestApp) {
  const { call } = test
  const people = [await test.register('Ada'), await test.register('Ben'), await test.register('Cy')]
  const ticket = async (token: string) =>
    (await call({ method: 'POST', url: '/api/v1/realtime/tickets', token })).json().ticket as string
  const later = (
    await call({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: people[0]!.email, password: people[0]!.password },
    })
  ).json() as { token: string }
  const ended = await ticket(later.token)
  await call({ method: 'POST', url: '/api/v1/auth/logout', token: later.token })
  return { people, ticket, ended }
}

t.test(
  'tickets redeemed at the same moment are checked each on its own: each opens its own holder’s stream once',
  async (t) => {
    const test = await build(t)
    const { app } = test
    const base = await listen(app)
    const { people, ticket, ended } = await crowdOfTickets(test)

    const good: Array<{ owner: number; ticket: string }> = []
    for (let i = 0; i < 24; i++) good.push({ owner: i % 3, ticket: await ticket(people[i % 3]!.token) })
    const reused = await ticket(people[1]!.token)
    // All at once: one batch, or a few, of redemptions.
    const [opened, reuses, endedOpen] = await Promise.all([
      Promise.allSettled(good.map((g) => openEvents(`${base}/api/v1/events?ticket=${g.ticket}`))),
      Promise.allSettled([1, 2, 3].map(() => openEvents(`${base}/api/v1/events?ticket=${reused}`))),
      Promise.allSettled([openEvents(`${base}/api/v1/events?ticket=${ended}`)]),
    ])
    t.equal(opened.filter((o) => o.status === 'fulfilled').length, 24, 'every good ticket opens a stream')
    t.equal(reuses.filter((o) => o.status === 'fulfilled').length, 1, 'a ticket sent three times at once opens one')
    t.match(endedOpen[0], { status: 'rejected', reason: /HTTP 401/ }, 'a ticket of a session that ended is refused')

    // Each stream is its holder's: an event for Ben reaches exactly Ben's streams.
    await app.events.publish([people[1]!.id], { type: 'for-ben', data: {} })
    const clients = opened.map((o) => (o as PromiseFulfilledResult<EventClient>).value)
    const got = await Promise.all(
      clients.map((c) =>
        c
          .next((f) => f.type === 'for-ben', 1500)
          .then(
            () => true,
            () => false,
          ),
      ),
    )
    t.same(
      got,
      good.map((g) => g.owner === 1),
      'an event for one person reaches that person’s streams and no one else’s',
    )
    for (const o of [...opened, ...reuses]) if (o.status === 'fulfilled') o.value.socket.close()
  },
)

t.test('a crowd of tickets checked in one batch: each answer is its own ticket’s holder, or a refusal', async (t) => {
  const test = await build(t)
  const { app } = test
  const { people, ticket, ended } = await crowdOfTickets(test)
  const good: Array<{ owner: string; ticket: string }> = []
  for (let i = 0; i < 12; i++) good.push({ owner: people[i % 3]!.id, ticket: await ticket(people[i % 3]!.token) })
  const reused = await ticket(people[0]!.token)
  const crowd = [...good.map((g) => g.ticket), reused, ended, reused, reused]
  // Called in the same turn of the event loop: redeemed together.
  const answers = await Promise.all(
    crowd.map((value) => app.authenticateUpgrade({ headers: {}, query: { ticket: value } } as FastifyRequest)),
  )
  const holders = answers.map((a) => (a.ok ? a.session.user.id : null))
  t.same(
    holders,
    [...good.map((g) => g.owner), people[0]!.id, null, null, null],
    'each good ticket answers its own holder; the first use of a ticket wins; an ended session is refused',
  )
})

t.test('a used ticket is remembered until it expires, then forgotten by the housekeeping', async (t) => {
  const test = await build(t)
  const { app, call, clock, database } = test
  const base = await listen(app)
  const user = await test.register('Ada')
  const ticket = async () =>
    (await call({ method: 'POST', url: '/api/v1/realtime/tickets', token: user.token })).json().ticket as string
  const remembered = async () =>
    Number((await database.query('select count(*)::int as n from realtime_tickets', []))[0]?.n)

  const early = await ticket()
  ;(await openEvents(`${base}/api/v1/events?ticket=${early}`)).socket.close()
  await app.scheduler.runDue()
  t.equal(await remembered(), 1, 'a ticket used a moment ago is kept (a second use is refused by it)')

  clock.advance(11 * 60_000)
  const late = await ticket()
  ;(await openEvents(`${base}/api/v1/events?ticket=${late}`)).socket.close()
  await app.scheduler.runDue()
  t.equal(await remembered(), 1, 'ten minutes on, the expired ticket is forgotten and the new one kept')
  await t.rejects(openEvents(`${base}/api/v1/events?ticket=${late}`), /HTTP 401/, 'the kept one still refuses a reuse')
  await t.rejects(openEvents(`${base}/api/v1/events?ticket=${early}`), /HTTP 401/, 'the forgotten one has expired')
})
