// A message notifies its recipient only while they have no event stream open on any
// instance, and a burst of messages is one notification until they read the thread.
import t from 'tap'
import { until } from './fixtures/realtime.js'
import { listen, openEvents } from './fixtures/websocket.js'
import { build, type TestApp, type TestUser } from './helper.js'
import { expect, postJob, propose } from './marketplace.js'
import { watchInboxes } from './notices.js'

t.setTimeout(120_000)

t.test('messages notify an offline recipient once per unread burst, on any instance', async (t) => {
  const ctx = await build(t)
  const other = await build(t, { sameDatabaseAs: ctx })
  const client = await ctx.register('Cleo')
  const fred = await ctx.register('Fred')
  const job = await postJob(ctx.call, client.token)
  const { threadId } = await propose(ctx.call, fred.token, job.id)
  const inbox = watchInboxes(t, ctx)
  await inbox.settle(client, fred)
  const link = `/workrooms/${job.workroomId}/messages?thread=${threadId}`
  const say = async (user: TestUser, body: string, via: TestApp = ctx) =>
    (
      await expect(via.call, 201, {
        method: 'POST',
        url: `/api/v1/threads/${threadId}/messages`,
        token: user.token,
        payload: { body },
      })
    ).id as string
  const read = (user: TestUser, upToMessageId: string) =>
    expect(ctx.call, 200, {
      method: 'POST',
      url: `/api/v1/threads/${threadId}/read`,
      token: user.token,
      payload: { upToMessageId },
    })
  const offline = async (app: TestApp, userId: string) =>
    (await app.app.presence.offline(app.app.db, [userId])).includes(userId)

  // A refused message notifies nobody.
  const blank = await ctx.call({
    method: 'POST',
    url: `/api/v1/threads/${threadId}/messages`,
    token: fred.token,
    payload: { body: '   ' },
  })
  t.equal(blank.statusCode, 400)
  for (const user of [client, fred])
    t.same((await inbox.news(user)).items, [], `${user.name}: nothing for a refused message`)

  // Offline: the first message notifies; the rest of the burst does not.
  const first = await say(fred, 'Hello Cleo, I have a question about the header layout before I start.')
  const told = await inbox.news(client)
  t.match(told, {
    unread: 1,
    items: [
      {
        type: 'message.received',
        title: 'Fred sent you a message: “Hello Cleo, I have a question about the header layout before I start.”',
        link,
        subject: { kind: 'thread', id: threadId },
        workroomId: job.workroomId,
        data: { threadId, messageId: first },
      },
    ],
  })
  t.equal(told.items.length, 1)
  t.same((await inbox.news(fred)).items, [], 'the author gets nothing')
  let last = first
  for (let i = 2; i <= 20; i++) last = await say(fred, `Detail ${i}`)
  t.match(await inbox.news(client), { items: [], unread: 1 }, 'a burst of 20 messages is one notification')

  // Read, then a new message notifies again (and a long one is quoted short).
  await read(client, last)
  await say(fred, `One more thing: ${'x'.repeat(200)}`)
  t.match(await inbox.news(client), {
    unread: 2,
    items: [{ type: 'message.received', title: /^Fred sent you a message: “One more thing: x+…”$/ }],
  })
  t.ok((await inbox.news(client)).items.length === 0)

  // The other direction, to an offline freelancer.
  await say(client, 'Sure, ask away')
  t.match(await inbox.news(fred), {
    items: [{ type: 'message.received', title: 'Cleo sent you a message: “Sure, ask away”' }],
  })

  // Online on this instance: the live frame reaches her; no notification.
  const unreadNow = await read(client, await say(fred, 'Catching up'))
  t.equal(unreadNow.unreadCount, 0)
  await inbox.settle(client)
  const base = await listen(ctx.app)
  const here = await openEvents(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${client.token}` } })
  const live = await say(fred, 'Are you there?')
  t.match(await here.next((frame) => frame.type === 'message.created'), { data: { id: live } })
  t.same((await inbox.news(client)).items, [], 'an online recipient is not notified')
  here.socket.close()
  await until(() => ctx.app.sockets.forUser(client.id).length === 0, 5000, 'the stream closed')
  await read(client, live)

  // Online on another instance (one database): still no notification; once it closes, one.
  const otherBase = await listen(other.app)
  const there = await openEvents(`${otherBase}/api/v1/events`, { headers: { authorization: `Bearer ${client.token}` } })
  t.notOk(await offline(ctx, client.id), 'this instance sees her stream on the other one')
  const seen = await say(fred, 'Ping from the other side')
  t.same((await inbox.news(client)).items, [], 'a recipient online elsewhere is not notified')
  there.socket.close()
  await until(() => offline(ctx, client.id), 5000, 'the other instance let her stream go')
  await read(client, seen)
  await say(fred, 'Now you are away')
  t.match(await inbox.news(client), {
    items: [{ type: 'message.received', title: 'Fred sent you a message: “Now you are away”' }],
  })
})
