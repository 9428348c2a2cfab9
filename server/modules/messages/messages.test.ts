import t from 'tap'
import { build } from '../../../test/helper.js'
import { listen } from '../../../test/fixtures/websocket.js'
import { upload, workroomWithBidders } from '../../../test/fixtures/workroom.js'

t.setTimeout(60_000)

t.test('threads: each side sees only what is theirs; bodies, pages, read markers', async (t) => {
  const test = await build(t)
  const { call, clock } = test
  const { workroomId, client, bidders } = await workroomWithBidders(test)
  const [a, b] = bidders as [(typeof bidders)[0], (typeof bidders)[0]]
  const stranger = await test.register('Stranger')
  const post = (token: string, threadId: string, payload: unknown) =>
    call({ method: 'POST', url: `/api/v1/threads/${threadId}/messages`, token, payload: payload as object })

  const hello = await post(client.token, a.threadId, { body: 'Hello A, about the landing page' })
  t.equal(hello.statusCode, 201, hello.body)
  t.match(hello.json(), {
    body: 'Hello A, about the landing page',
    authorId: client.id,
    threadId: a.threadId,
    attachments: [],
  })
  t.ok(hello.json().id && hello.json().createdAt)
  clock.advance(1000)
  t.equal((await post(client.token, b.threadId, { body: 'Hello B, secret budget 900' })).statusCode, 201)
  clock.advance(1000)
  t.equal((await post(a.user.token, a.threadId, { body: 'Hi! Happy to help' })).statusCode, 201)

  t.equal(
    (await post(a.user.token, b.threadId, { body: 'sneaking in' })).statusCode,
    404,
    "A cannot post in B's thread",
  )
  const peek = await call({ method: 'GET', url: `/api/v1/threads/${b.threadId}/messages`, token: a.user.token })
  t.equal(peek.statusCode, 404)
  t.notMatch(peek.body, 'secret budget')
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/threads/${a.threadId}/messages`, token: stranger.token })).statusCode,
    404,
  )
  t.equal((await post(stranger.token, a.threadId, { body: 'hi' })).statusCode, 404)
  t.equal((await call({ method: 'GET', url: `/api/v1/threads/${a.threadId}/messages` })).statusCode, 401)
  t.equal((await post(client.token, '00000000-0000-4000-8000-000000000000', { body: 'hi' })).statusCode, 404)

  for (const [payload, code] of [
    [{ body: '' }, 'request.invalid'],
    [{ body: '   \n ' }, 'messages.empty_body'],
    [{ body: 'x'.repeat(20_001) }, 'request.invalid'],
    [{ body: 'hi', authorId: b.user.id }, 'request.invalid'],
    [{ body: 12 }, 'request.invalid'],
  ] as const) {
    const response = await post(client.token, a.threadId, payload)
    t.equal(response.statusCode, 400, JSON.stringify(payload).slice(0, 40))
    t.equal(response.json().code, code)
  }
  t.equal((await post(client.token, a.threadId, { body: 'x'.repeat(20_000) })).statusCode, 201, '20,000 characters fit')

  const clientThreads = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/threads`,
    token: client.token,
  })
  t.equal(clientThreads.statusCode, 200)
  type ThreadItem = { id: string; freelancer: { name: string }; unreadCount: number; lastMessage: { preview: string } }
  const items = clientThreads.json().items as ThreadItem[]
  t.same(
    items.map((th) => [th.id, th.freelancer.name]).sort(),
    [
      [a.threadId, 'Freelancer A'],
      [b.threadId, 'Freelancer B'],
    ].sort(),
    'the client sees both threads',
  )
  const threadA = items.find((th) => th.id === a.threadId)!
  const threadB = items.find((th) => th.id === b.threadId)!
  t.equal(threadA.unreadCount, 1, 'the client has one unread message from A')
  t.equal(threadA.lastMessage.preview.length, 200, 'the preview is short')
  t.equal(threadB.unreadCount, 0)
  t.equal(threadB.lastMessage.preview, 'Hello B, secret budget 900')
  const aThreads = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/threads`, token: a.user.token })
  t.same(
    aThreads.json().items.map((th: { id: string }) => th.id),
    [a.threadId],
    'a freelancer sees only their own thread',
  )
  t.notMatch(aThreads.body, 'secret budget')
  t.notMatch(aThreads.body, b.user.id)
  t.equal(aThreads.json().items[0].unreadCount, 2)
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/threads`, token: stranger.token })).statusCode,
    404,
  )
  const paged = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/threads?limit=1`,
    token: client.token,
  })
  const rest = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/threads?limit=1&cursor=${paged.json().nextCursor}`,
    token: client.token,
  })
  t.same(
    [...paged.json().items, ...rest.json().items].map((th: { id: string }) => th.id).sort(),
    [a.threadId, b.threadId].sort(),
  )
  t.equal(rest.json().nextCursor, null)

  // History: newest first, paged back in time; `oldest` reads forward.
  const newest = await call({
    method: 'GET',
    url: `/api/v1/threads/${a.threadId}/messages?limit=2`,
    token: a.user.token,
  })
  const bodies = (items: Array<{ body: string }>) => items.map((m) => m.body.slice(0, 20))
  t.same(bodies(newest.json().items), ['x'.repeat(20), 'Hi! Happy to help'])
  const older = await call({
    method: 'GET',
    url: `/api/v1/threads/${a.threadId}/messages?limit=2&cursor=${newest.json().nextCursor}`,
    token: a.user.token,
  })
  t.same(bodies(older.json().items), ['Hello A, about the la'.slice(0, 20)])
  t.equal(older.json().nextCursor, null)
  const forward = await call({
    method: 'GET',
    url: `/api/v1/threads/${a.threadId}/messages?order=oldest&limit=2`,
    token: a.user.token,
  })
  t.same(bodies(forward.json().items), ['Hello A, about the l', 'Hi! Happy to help'])
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/threads/${a.threadId}/messages?cursor=%ff%fe`, token: a.user.token }))
      .statusCode,
    400,
  )

  // Read markers move forward only.
  const firstId = hello.json().id
  const lastId = newest.json().items[0].id
  const read = await call({
    method: 'POST',
    url: `/api/v1/threads/${a.threadId}/read`,
    token: a.user.token,
    payload: { upToMessageId: firstId },
  })
  t.same(read.json(), { threadId: a.threadId, lastReadMessageId: firstId, unreadCount: 1 })
  const all = await call({
    method: 'POST',
    url: `/api/v1/threads/${a.threadId}/read`,
    token: a.user.token,
    payload: { upToMessageId: lastId },
  })
  t.equal(all.json().unreadCount, 0)
  const back = await call({
    method: 'POST',
    url: `/api/v1/threads/${a.threadId}/read`,
    token: a.user.token,
    payload: { upToMessageId: firstId },
  })
  t.equal(back.json().lastReadMessageId, lastId, 'a marker never moves back')
  const bMessage = (
    await call({ method: 'GET', url: `/api/v1/threads/${b.threadId}/messages`, token: client.token })
  ).json().items[0].id
  const foreign = await call({
    method: 'POST',
    url: `/api/v1/threads/${a.threadId}/read`,
    token: a.user.token,
    payload: { upToMessageId: bMessage },
  })
  t.equal(foreign.statusCode, 400)
  t.equal(foreign.json().code, 'messages.unknown_message')
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/threads/${b.threadId}/read`,
        token: a.user.token,
        payload: { upToMessageId: bMessage },
      })
    ).statusCode,
    404,
  )
  const aAfter = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/threads`, token: a.user.token })
  t.match(aAfter.json().items[0], { unreadCount: 0, lastReadMessageId: lastId })

  // The log says a message was posted, in the thread's scope, never what it said.
  const log = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/activity?limit=100`,
    token: client.token,
  })
  const posted = log.json().items.filter((e: { type: string }) => e.type === 'message.posted')
  t.equal(posted.length, 4)
  t.notMatch(log.body, 'secret budget')
  t.notMatch(log.body, 'Happy to help')
  t.same(
    new Set(posted.map((e: { scopeFreelancerId: string }) => e.scopeFreelancerId)),
    new Set([a.user.id, b.user.id]),
  )
})

t.test('attachments: files of the thread or shared, shown as deleted once deleted', async (t) => {
  const test = await build(t)
  const { call } = test
  const { workroomId, client, bidders } = await workroomWithBidders(test)
  const [a, b] = bidders as [(typeof bidders)[0], (typeof bidders)[0]]
  const mine = (await upload(test, a.user, workroomId, { name: 'draft.txt', content: 'draft' })).json()
  const theirs = (await upload(test, b.user, workroomId, { name: 'other.txt', content: 'other' })).json()
  const shared = (
    await upload(test, client, workroomId, { name: 'brief.txt', content: 'brief' }, { scope: 'workroom' })
  ).json()

  const withFiles = await call({
    method: 'POST',
    url: `/api/v1/threads/${a.threadId}/messages`,
    token: a.user.token,
    payload: { body: 'Draft and brief attached', attachmentFileIds: [mine.id, shared.id] },
  })
  t.equal(withFiles.statusCode, 201, withFiles.body)
  t.same(
    withFiles.json().attachments.map((f: { id: string; name: string; deleted: boolean }) => [f.id, f.name, f.deleted]),
    [
      [mine.id, 'draft.txt', false],
      [shared.id, 'brief.txt', false],
    ],
  )
  const stolen = await call({
    method: 'POST',
    url: `/api/v1/threads/${a.threadId}/messages`,
    token: a.user.token,
    payload: { body: 'look', attachmentFileIds: [theirs.id] },
  })
  t.equal(stolen.statusCode, 400, "B's file cannot be attached in A's thread")
  t.equal(stolen.json().code, 'messages.invalid_attachment')
  const byClient = await call({
    method: 'POST',
    url: `/api/v1/threads/${b.threadId}/messages`,
    token: client.token,
    payload: { body: 'wrong thread', attachmentFileIds: [mine.id] },
  })
  t.equal(byClient.statusCode, 400, "even the client cannot move A's file into B's thread")
  const tooMany = await call({
    method: 'POST',
    url: `/api/v1/threads/${a.threadId}/messages`,
    token: a.user.token,
    payload: {
      body: 'many',
      attachmentFileIds: Array.from({ length: 11 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
    },
  })
  t.equal(tooMany.statusCode, 400)

  t.equal((await call({ method: 'DELETE', url: `/api/v1/files/${mine.id}`, token: a.user.token })).statusCode, 204)
  const history = await call({ method: 'GET', url: `/api/v1/threads/${a.threadId}/messages`, token: client.token })
  t.same(
    history.json().items[0].attachments.map((f: { deleted: boolean }) => f.deleted),
    [true, false],
  )
})

t.test(
  'concurrent posts in one workroom: a refused one fails alone, the rest are stored with their files',
  async (t) => {
    const test = await build(t)
    const { call } = test
    const { workroomId, client, bidders } = await workroomWithBidders(test)
    const [a, b] = bidders as [(typeof bidders)[0], (typeof bidders)[0]]
    const draft = (await upload(test, a.user, workroomId, { name: 'draft.txt', content: 'draft' })).json()
    const theirs = (await upload(test, b.user, workroomId, { name: 'other.txt', content: 'other' })).json()
    // Sent at once: they wait for each other's transaction and are stored together.
    const posts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call({
          method: 'POST',
          url: `/api/v1/threads/${a.threadId}/messages`,
          token: i % 2 ? client.token : a.user.token,
          payload: {
            body: `message ${i}`,
            ...(i === 4 ? { attachmentFileIds: [draft.id] } : {}),
            ...(i === 6 ? { attachmentFileIds: [theirs.id] } : {}),
          },
        }),
      ),
    )
    t.same(
      posts.map((r) => r.statusCode),
      Array.from({ length: 12 }, (_, i) => (i === 6 ? 400 : 201)),
      "only the post with B's file is refused",
    )
    t.equal(posts[6]!.json().code, 'messages.invalid_attachment')
    t.same(
      posts[4]!.json().attachments.map((f: { id: string }) => f.id),
      [draft.id],
    )
    const history = await call({
      method: 'GET',
      url: `/api/v1/threads/${a.threadId}/messages?order=oldest&limit=50`,
      token: client.token,
    })
    const bodies = history.json().items.map((m: { body: string }) => m.body)
    t.same(
      [...bodies].sort(),
      posts.flatMap((r, i) => (r.statusCode === 201 ? [`message ${i}`] : [])).sort(),
      'every accepted message is stored once',
    )
    const verify = (
      await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity/verify`, token: client.token })
    ).json()
    t.equal(verify.ok, true, 'the activity log is unbroken')
  },
)

t.test(
  'posts into several workrooms at once are stored together: each workroom gets its own, once, with an unbroken log; a refused one fails alone',
  async (t) => {
    const test = await build(t)
    const { call } = test
    const rooms = [
      await workroomWithBidders(test, 1),
      await workroomWithBidders(test, 1),
      await workroomWithBidders(test, 1),
    ]
    const stranger = (
      await upload(test, rooms[2]!.bidders[0]!.user, rooms[2]!.workroomId, { name: 'x.txt', content: 'x' })
    ).json()
    // 30 posts at once over HTTP (arriving together, as a busy server's requests do), round the
    // three workrooms; post 7 attaches a file of another workroom.
    const base = (await listen(test.app)).replace('ws:', 'http:')
    const posts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const room = rooms[i % 3]!
        return fetch(`${base}/api/v1/threads/${room.bidders[0]!.threadId}/messages`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${i % 2 ? room.client.token : room.bidders[0]!.user.token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ body: `post ${i}`, ...(i === 7 ? { attachmentFileIds: [stranger.id] } : {}) }),
        })
      }),
    )
    t.same(
      posts.map((r) => r.status),
      Array.from({ length: 30 }, (_, i) => (i === 7 ? 400 : 201)),
      'only the post with another workroom’s file is refused',
    )
    for (const [r, room] of rooms.entries()) {
      const history = await call({
        method: 'GET',
        url: `/api/v1/threads/${room.bidders[0]!.threadId}/messages?order=oldest&limit=50`,
        token: room.client.token,
      })
      // Sent at once, they arrive in no set order: the same set, each once.
      t.same(
        history
          .json()
          .items.map((m: { body: string }) => m.body)
          .sort(),
        Array.from({ length: 30 }, (_, i) => i)
          .filter((i) => i % 3 === r && i !== 7)
          .map((i) => `post ${i}`)
          .sort(),
        `workroom ${r + 1}: its messages, once each, and no other workroom's`,
      )
      const verify = (
        await call({
          method: 'GET',
          url: `/api/v1/workrooms/${room.workroomId}/activity/verify`,
          token: room.client.token,
        })
      ).json()
      t.equal(verify.ok, true, `workroom ${r + 1}: the activity log is unbroken`)
    }
  },
)
