import t from 'tap'
import { build, type TestApp } from '../../../test/helper.js'
import { listen, openEvents, type EventClient } from '../../../test/fixtures/websocket.js'
import { randomIds } from '../../ids.js'
import { createAccountsRepository } from './accounts.repository.js'
import { createRealtimeTickets } from './accounts.tickets.js'

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
    t.ok(once.length <= 230, `a ticket leaves room under the 256 characters a socket URL may carry (${once.length})`)
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
    // A redeemed ticket leaves its session in the session cache: the logout must drop it there.
    const opened = await openEvents(`${base}/api/v1/events?ticket=${await ticket(second.token)}`)
    await call({ method: 'POST', url: '/api/v1/auth/logout', token: second.token })
    opened.socket.close()
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

/** A tickets service of `test`'s app that keeps its used nonces where `usedNonces` says (an app picks by its driver). */
function ticketsOf(test: TestApp, usedNonces: 'database' | 'memory') {
  return createRealtimeTickets({
    signer: test.app.signer,
    repository: createAccountsRepository(test.app.db),
    sessions: test.app.accounts,
    clock: test.clock,
    ids: randomIds,
    usedNonces,
  })
}

for (const usedNonces of ['database', 'memory'] as const) {
  t.test(
    `a crowd of tickets checked in one batch (used tickets kept in the ${usedNonces}): each answer is its own ticket’s holder, or a refusal`,
    async (t) => {
      const test = await build(t)
      const { people, ended } = await crowdOfTickets(test)
      const tickets = ticketsOf(test, usedNonces)
      const sessionOf = async (person: { token: string }) =>
        (await test.app.accounts.authenticate(person.token))!.sessionId
      const good: Array<{ owner: string; ticket: string }> = []
      for (let i = 0; i < 12; i++)
        good.push({
          owner: people[i % 3]!.id,
          ticket: tickets.issue({ sessionId: await sessionOf(people[i % 3]!) }).ticket,
        })
      const reused = tickets.issue({ sessionId: await sessionOf(people[0]!) }).ticket
      // `ended` was issued by the app's own tickets: re-issued here for the same ended session.
      const endedHere = tickets.issue({
        sessionId: JSON.parse(Buffer.from(ended.split('.')[0]!, 'base64url').toString()).p.s,
      }).ticket
      const crowd = [...good.map((g) => g.ticket), reused, endedHere, reused, reused]
      // Called in the same turn of the event loop: redeemed together.
      const answers = await Promise.all(crowd.map((value) => tickets.redeem(value)))
      t.same(
        answers.map((a) => a?.user.id ?? null),
        [...good.map((g) => g.owner), people[0]!.id, null, null, null],
        'each good ticket answers its own holder; the first use of a ticket wins; an ended session is refused',
      )
      t.equal(await tickets.redeem(good[0]!.ticket), null, 'a used ticket is refused later too')
      const rows = Number((await test.database.query('select count(*)::int as n from realtime_tickets', []))[0]?.n)
      t.equal(rows, usedNonces === 'database' ? 13 : 0, 'the used tickets are recorded where the mode says')

      // Another process with the same key: in the database, where instances share what was
      // used, it takes a ticket this one issued; in memory (PGlite: a restarted process) it does not.
      const other = ticketsOf(test, usedNonces)
      const fresh = tickets.issue({ sessionId: await sessionOf(people[1]!) }).ticket
      const elsewhere = await other.redeem(fresh)
      if (usedNonces === 'database') {
        t.equal(elsewhere?.user.id, people[1]!.id, 'another instance redeems it')
        t.equal(await tickets.redeem(fresh), null, 'and then it is used here too')
        t.equal(await other.redeem(good[1]!.ticket), null, 'a ticket used here is used there')
      } else {
        t.equal(elsewhere, null, 'a ticket issued before a restart is refused')
        t.equal((await tickets.redeem(fresh))?.user.id, people[1]!.id, 'and still good where it was issued')
      }
    },
  )
}

t.test('after a restart, a ticket the old process issued opens no socket on PGlite; a new one does', async (t) => {
  const env = { SECRET_KEY: 'a restart keeps this key: 0123456789abcdef0123456789' }
  const first = await build(t, { env })
  const user = await first.register('Ada')
  const ticket = async (test: TestApp) =>
    (await test.call({ method: 'POST', url: '/api/v1/realtime/tickets', token: user.token })).json().ticket as string
  const old = await ticket(first)
  await first.app.close()
  const second = await build(t, { env, sameDatabaseAs: first, clock: first.clock })
  const base = await listen(second.app)
  if (second.database.driver === 'pglite') {
    // Its used tickets were remembered in the old process only.
    await t.rejects(
      openEvents(`${base}/api/v1/events?ticket=${old}`),
      /HTTP 401/,
      'the old process’s ticket is refused',
    )
  } else {
    // Several instances share the record: a ticket of another instance (or of one restarted) opens once.
    ;(await openEvents(`${base}/api/v1/events?ticket=${old}`)).socket.close()
    t.pass('another instance’s ticket opens the socket once')
    await t.rejects(openEvents(`${base}/api/v1/events?ticket=${old}`), /HTTP 401/, 'and only once')
  }
  const fresh = await openEvents(`${base}/api/v1/events?ticket=${await ticket(second)}`)
  t.pass('a ticket from the new process opens the socket')
  fresh.socket.close()
})

t.test('a used ticket is remembered until it expires, then forgotten', async (t) => {
  const test = await build(t)
  const { app, clock, database } = test
  const user = await test.register('Ada')
  const sessionId = (await app.accounts.authenticate(user.token))!.sessionId
  const remembered = async () =>
    Number((await database.query('select count(*)::int as n from realtime_tickets', []))[0]?.n)

  // Several instances (Postgres) record used tickets in the database; the housekeeping forgets them.
  const shared = ticketsOf(test, 'database')
  const early = shared.issue({ sessionId }).ticket
  t.ok(await shared.redeem(early), 'a fresh ticket opens')
  await app.scheduler.runDue()
  t.equal(await remembered(), 1, 'a ticket used a moment ago is kept (a second use is refused by it)')
  t.equal(await shared.redeem(early), null, 'so a second use is refused')
  clock.advance(11 * 60_000)
  const late = shared.issue({ sessionId }).ticket
  t.ok(await shared.redeem(late), 'a new ticket opens')
  await app.scheduler.runDue()
  t.equal(await remembered(), 1, 'ten minutes on, the expired ticket is forgotten and the new one kept')
  t.equal(await shared.redeem(late), null, 'the kept one still refuses a reuse')
  t.equal(await shared.redeem(early), null, 'the forgotten one has expired')

  // One process (PGlite) keeps them in memory, as long as the ticket could be used.
  const own = ticketsOf(test, 'memory')
  const ticket = own.issue({ sessionId }).ticket
  t.ok(await own.redeem(ticket), 'a fresh ticket opens')
  clock.advance(59_000)
  t.equal(await own.redeem(ticket), null, 'a reuse within its minute is refused')
  // A replay in the ticket's last moment, its batch running just after the minute.
  const last = own.issue({ sessionId }).ticket
  t.ok(await own.redeem(last), 'another fresh ticket opens')
  clock.advance(59_990)
  const replay = own.redeem(last)
  clock.advance(20)
  t.equal(await replay, null, 'a replay checked in its last moment and recorded after it is refused')
  t.equal(await remembered(), 1, 'nothing written for it')
})
