// Issue 3's scenario, through the HTTP API only: a client posts a job, two freelancers
// propose, the client talks to each in a private thread, files go both ways, one is hired
// and accepts, the other is declined; the activity log verifies, a corrupted entry is
// found, and the export holds all of it.
import { sql } from 'drizzle-orm'
import t from 'tap'
import { upload } from './fixtures/workroom.js'
import { unzip } from './fixtures/zip.js'
import { build } from './helper.js'
import { act, hire, postJob, propose } from './marketplace.js'

t.setTimeout(120_000)

t.test('post, propose, message, share files, hire, accept, decline, verify, export', async (t) => {
  const test = await build(t)
  const { call, app } = test
  const client = await test.register('Cleo Client')
  const ann = await test.register('Ann Freelancer')
  const ben = await test.register('Ben Freelancer')

  const job = await postJob(call, client.token)
  t.equal(job.state, 'open')
  const workroomId = job.workroomId as string

  const annProposal = await propose(call, ann.token, job.id, {
    coverLetter: 'Ann: I built forty landing pages.',
    bidAmount: 80_000,
    estimatedDays: 14,
  })
  const benProposal = await propose(call, ben.token, job.id, {
    coverLetter: 'Ben: fast and careful.',
    bidAmount: 70_000,
    estimatedDays: 10,
  })

  const say = async (token: string, threadId: string, body: string) => {
    const response = await call({
      method: 'POST',
      url: `/api/v1/threads/${threadId}/messages`,
      token,
      payload: { body },
    })
    t.equal(response.statusCode, 201, `message "${body}" is stored`)
    return response.json()
  }
  await say(client.token, annProposal.threadId, 'Hi Ann, can you start Monday?')
  await say(client.token, benProposal.threadId, 'Hi Ben, what is your timeline?')
  await say(ann.token, annProposal.threadId, 'Yes, Monday works.')
  await say(ben.token, benProposal.threadId, 'Ten days.')

  const threadsOf = async (token: string) =>
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/threads`, token }))
      .json()
      .items.map((th: { id: string }) => th.id)
      .sort()
  t.same(
    await threadsOf(client.token),
    [annProposal.threadId, benProposal.threadId].sort(),
    'the client sees both threads',
  )
  t.same(await threadsOf(ann.token), [annProposal.threadId], 'Ann sees only her thread')
  t.same(await threadsOf(ben.token), [benProposal.threadId], 'Ben sees only his thread')
  const benReadsAnn = await call({
    method: 'GET',
    url: `/api/v1/threads/${annProposal.threadId}/messages`,
    token: ben.token,
  })
  t.equal(benReadsAnn.statusCode, 404, 'Ben cannot read Ann’s thread')
  t.notOk(benReadsAnn.body.includes('Monday'), 'nor any of its text')

  // Files both ways.
  const brief = await upload(
    test,
    client,
    workroomId,
    { name: 'brief.txt', content: 'Brand colours: teal and sand.' },
    { threadId: annProposal.threadId },
  )
  t.equal(brief.statusCode, 201)
  const draft = await upload(test, ann, workroomId, { name: 'draft.txt', content: 'First draft of the hero section.' })
  t.equal(draft.statusCode, 201)
  const download = await call({ method: 'GET', url: `/api/v1/files/${draft.json().id}/content`, token: client.token })
  t.equal(download.body, 'First draft of the hero section.', 'the client downloads Ann’s file')
  t.match(download.headers['content-disposition'], /^attachment/)
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/files/${brief.json().id}/content`, token: ben.token })).statusCode,
    404,
    'Ben cannot fetch Ann’s brief',
  )

  // Hire Ann; she accepts; Ben is declined.
  const contract = await hire(call, client.token, annProposal.id)
  t.equal(contract.state, 'offered')
  const accepted = await act(call, ann.token, `/api/v1/contracts/${contract.id}/accept`)
  t.equal(accepted.state, 'active')
  const declined = await act(call, client.token, `/api/v1/proposals/${benProposal.id}/decline`)
  t.equal(declined.state, 'declined')
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/contracts/${contract.id}`, token: ben.token })).statusCode,
    404,
    'Ben cannot see Ann’s contract',
  )

  // The thread carries over into the contract.
  await say(client.token, annProposal.threadId, 'Welcome aboard!')

  // The activity log verifies, and a corrupted entry is found.
  const verify = async () =>
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity/verify`, token: client.token })).json()
  const healthy = await verify()
  t.equal(healthy.ok, true)
  t.ok(healthy.entries >= 8, `the log holds every step (${healthy.entries} entries)`)
  const types = (
    await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity?limit=100`, token: client.token })
  )
    .json()
    .items.map((e: { type: string }) => e.type)
  for (const type of [
    'job.published',
    'proposal.submitted',
    'contract.offered',
    'contract.active',
    'proposal.declined',
    'message.posted',
  ]) {
    t.ok(
      types.some((x: string) => x === type),
      `the log has ${type}`,
    )
  }
  const benView = (
    await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity?limit=100`, token: ben.token })
  ).json().items
  t.notOk(JSON.stringify(benView).includes(contract.id), 'Ben’s view of the log never names Ann’s contract')

  const exported = await unzip(
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/export`, token: ann.token })).rawPayload,
  )
  const manifest = JSON.parse(exported.get('workroom.json')!.toString())
  t.equal(manifest.viewer.role, 'freelancer')
  t.same(
    manifest.threads.map((th: { id: string }) => th.id),
    [annProposal.threadId],
    'Ann’s export holds her thread only',
  )
  const annThread = JSON.parse(exported.get(`threads/${annProposal.threadId}.json`)!.toString())
  t.same(
    annThread.messages.map((m: { body: string }) => m.body).sort(),
    ['Hi Ann, can you start Monday?', 'Welcome aboard!', 'Yes, Monday works.'].sort(),
    'with every message of it',
  )
  t.equal(exported.get(`files/${draft.json().id}/draft.txt`)?.toString(), 'First draft of the hero section.')
  t.equal(exported.get(`files/${brief.json().id}/brief.txt`)?.toString(), 'Brand colours: teal and sand.')
  t.notOk(
    [...exported.keys()].some((name) => name.includes(benProposal.threadId)),
    'nothing of Ben’s',
  )

  await app.db.execute(
    sql`update activity_entries set actor_id = ${ben.id} where workroom_id = ${workroomId} and seq = 2`,
  )
  const broken = await verify()
  t.equal(broken.ok, false)
  t.equal(broken.firstBrokenSeq, 2, 'verify names the corrupted entry')
})

t.test('concurrent messages in one workroom are all stored, in one unbroken log', async (t) => {
  // Each post inserts rows referencing the workroom, then appends to its log: with the
  // wrong row lock two such transactions deadlock on Postgres (found by bench/api).
  const test = await build(t)
  const { call } = test
  const client = await test.register('Client')
  const ann = await test.register('Ann')
  const ben = await test.register('Ben')
  const job = await postJob(call, client.token)
  const a = await propose(call, ann.token, job.id)
  const b = await propose(call, ben.token, job.id)
  const posts = Array.from({ length: 24 }, (_, i) =>
    call({
      method: 'POST',
      url: `/api/v1/threads/${i % 2 ? a.threadId : b.threadId}/messages`,
      token: i % 3 === 0 ? client.token : i % 2 ? ann.token : ben.token,
      payload: { body: `message ${i}` },
    }),
  )
  const statuses = (await Promise.all(posts)).map((r) => r.statusCode)
  t.same(statuses, Array(24).fill(201), 'every concurrent post succeeds')
  const verify = (
    await call({ method: 'GET', url: `/api/v1/workrooms/${job.workroomId}/activity/verify`, token: client.token })
  ).json()
  t.equal(verify.ok, true)
  t.ok(verify.entries >= 24 + 3)
})
