import t from 'tap'
import { DAY, HOUR, MINUTE } from '../../clock.js'
import { build, type TestApp, type TestUser } from '../../../test/helper.js'
import { act, hire, postJob, propose } from '../../../test/marketplace.js'

t.setTimeout(90_000)

const KIND = 'test.answer-deadline'

async function titles(test: TestApp, user: TestUser): Promise<string[]> {
  const response = await test.call({ method: 'GET', url: '/api/v1/notifications', token: user.token })
  return response.json().items.map((n: { title: string }) => n.title)
}

t.test(
  'a deadline reminds the one who must act 24 h before, once; moved or cancelled ones leave no stale reminder',
  async (t) => {
    const test = await build(t)
    const { app, clock } = test
    const ana = await test.register('Ana')
    const ran: string[] = []
    app.scheduler.register(KIND, async (deadline) => void ran.push(deadline.subject))
    app.scheduler.remindBefore(KIND, {
      async describe(deadline) {
        if (deadline.subject === 'nobody') return null
        return {
          userIds: [ana.id],
          title: `Answer “${deadline.subject}” by tomorrow`,
          link: `/things/${deadline.subject}`,
          subject: { kind: 'thing', id: deadline.subject },
        }
      },
    })
    const start = clock.now().getTime()
    const at = (ms: number) => new Date(start + ms)

    await app.scheduler.schedule({ kind: KIND, subject: 'kept', dueAt: at(3 * DAY) })
    await app.scheduler.schedule({ kind: KIND, subject: 'moved', dueAt: at(3 * DAY) })
    await app.scheduler.schedule({ kind: KIND, subject: 'cancelled', dueAt: at(3 * DAY) })
    await app.scheduler.schedule({ kind: KIND, subject: 'soon', dueAt: at(10 * HOUR) })
    await app.scheduler.schedule({ kind: KIND, subject: 'nobody', dueAt: at(3 * DAY) })

    clock.set(at(DAY))
    await app.scheduler.runDue()
    t.same(await titles(test, ana), [], 'nothing two days ahead')

    // Moved two days later, inside a transaction (as modules do); the other one cancelled.
    await app.db.transaction((tx) => app.scheduler.schedule({ kind: KIND, subject: 'moved', dueAt: at(5 * DAY) }, tx))
    await app.scheduler.cancel(KIND, 'cancelled')

    clock.set(at(2 * DAY + MINUTE))
    await app.scheduler.runDue()
    t.same(await titles(test, ana), ['Answer “kept” by tomorrow'], 'only the deadline still due in 24 h reminds')
    t.same(ran, ['soon'], 'a deadline less than 24 h ahead ran without a reminder')

    clock.set(at(3 * DAY + MINUTE))
    await app.scheduler.runDue()
    clock.set(at(4 * DAY + MINUTE))
    await app.scheduler.runDue()
    t.same(
      await titles(test, ana),
      ['Answer “moved” by tomorrow', 'Answer “kept” by tomorrow'],
      'the moved deadline reminds 24 h before its new date, once',
    )
    const list = (await test.call({ method: 'GET', url: '/api/v1/notifications', token: ana.token })).json()
    t.match(list.items[0], {
      type: 'deadline.reminder',
      category: 'reminders',
      link: '/things/moved',
      data: { deadlineKind: KIND, dueAt: at(5 * DAY).toISOString() },
    })

    // Done early (the thing was answered): its reminder, already due, stays silent.
    await app.scheduler.schedule({ kind: KIND, subject: 'answered', dueAt: at(7 * DAY) })
    clock.set(at(6 * DAY + MINUTE))
    await app.db.transaction((tx) => app.scheduler.cancel(KIND, 'answered', tx))
    await app.scheduler.runDue()
    t.equal((await titles(test, ana)).length, 2, 'no reminder for a deadline cancelled at the last moment')
  },
)

t.test('an offer about to expire reminds the freelancer 24 h ahead; an accepted one does not', async (t) => {
  const test = await build(t)
  const { app, clock, call } = test
  const client = await test.register('Cleo')
  const fred = await test.register('Fred')
  const gina = await test.register('Gina')
  const job = await postJob(call, client.token)
  const open = await hire(call, client.token, (await propose(call, fred.token, job.id)).id)
  const accepted = await hire(call, client.token, (await propose(call, gina.token, job.id)).id)
  await act(call, gina.token, `/api/v1/contracts/${accepted.id}/accept`)
  const expiresAt = new Date(open.offerExpiresAt).getTime()

  clock.set(new Date(expiresAt - DAY - MINUTE))
  await app.scheduler.runDue()
  const early = await titles(test, fred)
  t.notOk(
    early.some((title) => /expires/.test(title)),
    'no reminder more than 24 h ahead',
  )

  clock.set(new Date(expiresAt - DAY + MINUTE))
  await app.scheduler.runDue()
  const list = (await call({ method: 'GET', url: '/api/v1/notifications', token: fred.token })).json()
  t.match(list.items[0], {
    type: 'deadline.reminder',
    category: 'reminders',
    link: `/contracts/${open.id}`,
    contractId: open.id,
    title: /Cleo's offer for “.+” expires on .+: accept or decline it/,
    data: { deadlineKind: 'contract.offer-expiry', dueAt: new Date(expiresAt).toISOString() },
  })
  t.notOk(
    (await titles(test, gina)).some((title) => /expires/.test(title)),
    'Gina accepted: nothing to remind her of',
  )
  t.notOk(
    (await titles(test, client)).some((title) => /expires/.test(title)),
    'the client has nothing to do',
  )
})
