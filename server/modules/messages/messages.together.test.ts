// Posts that arrive at the same moment: on PGlite their threads and the callers' memberships are
// looked up in one query between them; each post is still answered for its own caller.
import t from 'tap'
import { build } from '../../../test/helper.js'
import { workroomWithBidders } from '../../../test/fixtures/workroom.js'
import { createMessagesRepository } from './messages.repository.js'

t.setTimeout(60_000)

t.test('posts arriving together are each checked for their own caller: members in, others out', async (t) => {
  const test = await build(t)
  const { call } = test
  const { client, bidders } = await workroomWithBidders(test)
  const [a, b] = bidders as [(typeof bidders)[0], (typeof bidders)[0]]
  const stranger = await test.register('Stranger')
  const nowhere = '00000000-0000-4000-8000-000000000000'
  // Sent at once (on PGlite their threads are looked up together).
  const tries: Array<[string, string, number]> = [
    [client.token, `urn:uuid:${a.threadId}`, 404],
    [client.token, a.threadId, 201],
    [a.user.token, b.threadId, 404],
    [a.user.token, a.threadId, 201],
    [stranger.token, a.threadId, 404],
    [b.user.token, b.threadId, 201],
    [b.user.token, a.threadId, 404],
    [client.token, nowhere, 404],
    [client.token, b.threadId, 201],
  ]
  const answers = await Promise.all(
    tries.map(([token, threadId], i) =>
      call({ method: 'POST', url: `/api/v1/threads/${threadId}/messages`, token, payload: { body: `try ${i}` } }),
    ),
  )
  t.same(
    answers.map((r) => r.statusCode),
    tries.map(([, , status]) => status),
    'each post answered for its own caller and thread',
  )
  for (const threadId of [a.threadId, b.threadId]) {
    const expected = tries.flatMap(([, to, status], i) => (to === threadId && status === 201 ? [`try ${i}`] : []))
    t.equal(expected.length, 2)
    const history = await call({
      method: 'GET',
      url: `/api/v1/threads/${threadId}/messages?order=oldest`,
      token: client.token,
    })
    t.same(
      history
        .json()
        .items.map((m: { body: string }) => m.body)
        .sort(),
      expected,
      'only the accepted posts are stored',
    )
  }
})

t.test('threads looked up together answer exactly as each looked up alone', async (t) => {
  const test = await build(t)
  const { client, bidders } = await workroomWithBidders(test)
  const [a, b] = bidders as [(typeof bidders)[0], (typeof bidders)[0]]
  const stranger = await test.register('Stranger')
  const repository = createMessagesRepository(test.app.db)
  const asked = [
    { threadId: a.threadId, userId: client.id },
    { threadId: '00000000-0000-4000-8000-000000000000', userId: client.id },
    { threadId: b.threadId, userId: a.user.id },
    { threadId: `urn:uuid:${a.threadId}`, userId: client.id },
    { threadId: a.threadId, userId: stranger.id },
    { threadId: b.threadId, userId: b.user.id },
    { threadId: a.threadId, userId: client.id },
  ]
  const together = await repository.findThreads(asked)
  const alone = []
  for (const one of asked) alone.push((await repository.findThreads([one]))[0])
  t.strictSame(together, alone, 'the same answers, in the order asked')
  t.match(
    together.map((found) => found && { thread: found.thread.id, clientId: found.clientId, role: found.role }),
    [
      { thread: a.threadId, clientId: client.id, role: 'client' },
      null,
      { thread: b.threadId, role: 'freelancer' },
      null,
      { thread: a.threadId, role: null },
      { thread: b.threadId, role: 'freelancer' },
      { thread: a.threadId, role: 'client' },
    ],
  )
  t.equal(together[2]!.thread.freelancerId, b.user.id, "B's thread is B's, whoever asks")
})
