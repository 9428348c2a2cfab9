import t from 'tap'
import { build, type TestApp, type TestUser } from '../../../test/helper.js'
import { listen, openEvents } from '../../../test/fixtures/websocket.js'
import type { EventFrame } from '../events/index.js'
import type { NotificationInput } from './index.js'

t.setTimeout(90_000)

const pushed = (f: EventFrame) => f.data as { unread: number; notification: { title: string } }

/** Notifies inside a transaction of its own, the way a module does inside its event's. */
async function notify(test: TestApp, input: Partial<NotificationInput> & { userIds: string[] }) {
  return test.app.db.transaction((tx) =>
    test.app.notifications.notify(tx, {
      type: 'milestone.funded',
      subject: { kind: 'milestone', id: '00000000-0000-4000-8000-000000000001' },
      title: 'Acme funded “Design” (US$500.00)',
      link: '/contracts/00000000-0000-4000-8000-000000000002',
      ...input,
    }),
  )
}

async function list(test: TestApp, user: TestUser, query = '') {
  const response = await test.call({ method: 'GET', url: `/api/v1/notifications${query}`, token: user.token })
  if (response.statusCode !== 200) throw new Error(`list answered ${response.statusCode}: ${response.body}`)
  return response.json()
}

t.test('the list: newest first, a cursor, the unread count and the unread filter', async (t) => {
  const test = await build(t)
  const ana = await test.register('Ana')
  const bo = await test.register('Bo')
  for (const title of ['first', 'second', 'third']) {
    await notify(test, { userIds: [ana.id, ana.id], title })
    test.clock.advance(1000)
  }
  await notify(test, { userIds: [bo.id], title: 'for Bo only' })

  const page1 = await list(test, ana, '?limit=2')
  t.same(
    page1.items.map((n: { title: string }) => n.title),
    ['third', 'second'],
  )
  t.equal(page1.unread, 3, 'a recipient named twice gets one notification')
  t.match(page1.items[0], { type: 'milestone.funded', category: 'money', readAt: null, subject: { kind: 'milestone' } })
  const page2 = await list(test, ana, `?limit=2&cursor=${page1.nextCursor}`)
  t.same(
    page2.items.map((n: { title: string }) => n.title),
    ['first'],
  )
  t.equal(page2.nextCursor, null)

  const read = await test.call({
    method: 'POST',
    url: '/api/v1/notifications/read',
    token: ana.token,
    payload: { ids: [page1.items[0].id] },
  })
  t.same(read.json(), { updated: 1, unread: 2 })
  const unread = await list(test, ana, '?unread=true')
  t.same(
    unread.items.map((n: { title: string }) => n.title),
    ['second', 'first'],
  )
  t.equal((await list(test, bo)).items.length, 1, 'Bo sees only his own')

  const bad = await test.call({ method: 'GET', url: '/api/v1/notifications?cursor=nonsense', token: ana.token })
  t.equal(bad.statusCode, 400)
  const anonymous = await test.call({ method: 'GET', url: '/api/v1/notifications' })
  t.equal(anonymous.statusCode, 401)
})

t.test('marking read: another person’s ids change nothing; all marks every one of the caller’s', async (t) => {
  const test = await build(t)
  const ana = await test.register('Ana')
  const bo = await test.register('Bo')
  await notify(test, { userIds: [ana.id, bo.id] })
  await notify(test, { userIds: [ana.id] })
  const anas = (await list(test, ana)).items.map((n: { id: string }) => n.id)

  const theft = await test.call({
    method: 'POST',
    url: '/api/v1/notifications/read',
    token: bo.token,
    payload: { ids: anas },
  })
  t.same(theft.json(), { updated: 0, unread: 1 })
  t.equal((await list(test, ana)).unread, 2, 'Ana’s stay unread')

  for (const payload of [{}, { ids: anas, all: true }, { ids: [] }, { ids: ['x'] }, { all: false }]) {
    const refused = await test.call({ method: 'POST', url: '/api/v1/notifications/read', token: ana.token, payload })
    t.equal(refused.statusCode, 400, JSON.stringify(payload))
    t.type(refused.json().message, 'string')
  }
  t.equal((await list(test, ana)).unread, 2)

  const all = await test.call({
    method: 'POST',
    url: '/api/v1/notifications/read',
    token: ana.token,
    payload: { all: true },
  })
  t.same(all.json(), { updated: 2, unread: 0 })
  t.equal((await list(test, bo)).unread, 1, 'Bo’s are untouched')
})

t.test('preferences: defaults, changes, refusals; off means no notification', async (t) => {
  const test = await build(t)
  const ana = await test.register('Ana')
  const get = await test.call({ method: 'GET', url: '/api/v1/me/notification-preferences', token: ana.token })
  t.equal(get.statusCode, 200)
  t.match(get.json().categories, { money: 'email', disputes: 'email', reminders: 'email', messages: 'digest' })
  t.same(get.json().categories, get.json().defaults)

  const put = await test.call({
    method: 'PUT',
    url: '/api/v1/me/notification-preferences',
    token: ana.token,
    payload: { categories: { money: 'off', messages: 'in_app' } },
  })
  t.equal(put.statusCode, 200, put.body)
  t.match(put.json().categories, { money: 'off', messages: 'in_app', disputes: 'email' })

  for (const payload of [
    { categories: { account: 'off' } },
    { categories: { money: 'loud' } },
    { categories: { weather: 'email' } },
    { categories: {} },
    { money: 'email' },
  ]) {
    const refused = await test.call({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      token: ana.token,
      payload,
    })
    t.equal(refused.statusCode, 400, JSON.stringify(payload))
  }
  const after = await test.call({ method: 'GET', url: '/api/v1/me/notification-preferences', token: ana.token })
  t.match(after.json().categories, { money: 'off', account: 'email' }, 'refused changes changed nothing')

  const event = await notify(test, { userIds: [ana.id] })
  t.same(event.recipients, [], 'money is off: no recipient')
  t.equal((await list(test, ana)).items.length, 0)
  await notify(test, { userIds: [ana.id], type: 'dispute.opened', title: 'A dispute was opened' })
  t.equal((await list(test, ana)).items.length, 1, 'other categories still arrive')
})

t.test('live: a notification.created frame with the unread count reaches the recipient’s socket', async (t) => {
  const test = await build(t)
  const base = await listen(test.app)
  const ana = await test.register('Ana')
  const bo = await test.register('Bo')
  const ticket = async (token: string) =>
    (await test.call({ method: 'POST', url: '/api/v1/realtime/tickets', token })).json().ticket as string
  const anaSocket = await openEvents(`${base}/api/v1/events?ticket=${await ticket(ana.token)}`)
  const boSocket = await openEvents(`${base}/api/v1/events?ticket=${await ticket(bo.token)}`)

  await notify(test, { userIds: [ana.id], title: 'one' })
  const first = await anaSocket.next((f) => f.type === 'notification.created', 5000)
  t.match(first.data, { unread: 1, notification: { title: 'one', type: 'milestone.funded', readAt: null } })

  // With the caller's afterCommit: pushed once the caller runs it.
  const later: Array<() => unknown> = []
  await test.app.db.transaction((tx) =>
    test.app.notifications.notify(
      tx,
      {
        type: 'offer.received',
        userIds: [ana.id],
        subject: { kind: 'contract', id: '00000000-0000-4000-8000-000000000003' },
        title: 'two',
        link: '/contracts/00000000-0000-4000-8000-000000000003',
      },
      { afterCommit: (fn) => void later.push(fn) },
    ),
  )
  for (const fn of later) await fn()
  const second = await anaSocket.next(
    (f) => f.type === 'notification.created' && pushed(f).notification.title === 'two',
    5000,
  )
  t.equal(pushed(second).unread, 2)

  // A rolled-back event is never pushed.
  await test.app.db
    .transaction(async (tx) => {
      await test.app.notifications.notify(tx, {
        type: 'offer.received',
        userIds: [ana.id],
        subject: { kind: 'contract', id: '00000000-0000-4000-8000-000000000004' },
        title: 'rolled back',
        link: '/contracts/00000000-0000-4000-8000-000000000004',
      })
      throw new Error('the event failed')
    })
    .catch(() => undefined)
  await notify(test, { userIds: [ana.id], title: 'three' })
  const third = await anaSocket.next(
    (f) => f.type === 'notification.created' && pushed(f).notification.title === 'three',
    5000,
  )
  t.equal(pushed(third).unread, 3)
  t.notOk(
    anaSocket.frames.some((f) => JSON.stringify(f).includes('rolled back')),
    'nothing pushed for a rolled-back event',
  )
  t.notOk(
    boSocket.frames.some((f) => f.type === 'notification.created'),
    'Bo hears nothing of Ana’s notifications',
  )
  anaSocket.socket.close()
  boSocket.socket.close()
})
