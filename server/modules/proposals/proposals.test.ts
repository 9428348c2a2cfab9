// Proposing on a job, listing proposals and attaching files, through the real API. The
// state machine (shortlist, decline, withdraw, hire) is in proposals.transitions.test.ts.
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { filesTable, threadsTable } from '../../../db/schema/index.js'
import { build } from '../../../test/helper.js'
import { act, fixedJob, hourlyJob, invite, postJob, propose } from '../../../test/marketplace.js'
import { DAY, HOUR } from '../../clock.js'

t.setTimeout(120_000)

t.test('who may propose, and when', async (t) => {
  const { call, register, clock } = await build(t)
  const [client, alice, bob, carol] = await Promise.all([
    register('Client'),
    register('Alice'),
    register('Bob'),
    register('Carol'),
  ])
  const job = await postJob(call, client.token, {
    ...fixedJob,
    proposalDeadline: new Date(clock.now().getTime() + 2 * DAY).toISOString(),
  })
  const submit = (token: string, payload: Record<string, unknown>, jobId = job.id) =>
    call({ method: 'POST', url: `/api/v1/jobs/${jobId}/proposals`, token, payload })
  const bid = { coverLetter: 'I build landing pages.', bidAmount: 80_000, estimatedDays: 10 }

  const own = await submit(client.token, bid)
  t.equal(own.statusCode, 403)
  t.equal(own.json().code, 'proposals.own_job')

  for (const [payload, code] of [
    [{ ...bid, bidAmount: undefined, hourlyRate: 4_000 }, 'proposals.bid_mismatch'],
    [{ ...bid, hourlyRate: 4_000 }, 'proposals.bid_mismatch'],
    [{ ...bid, bidAmount: 0 }, 'request.invalid'],
    [
      {
        ...bid,
        milestones: [
          { title: 'Design', amount: 30_000 },
          { title: 'Build', amount: 40_000 },
        ],
      },
      'proposals.milestones_total',
    ],
    [{ ...bid, milestones: [{ title: 'Design', amount: 80_000, dueDate: '2026-13-45' }] }, 'request.invalid'],
    [{ ...bid, attachmentFileIds: [randomUUID()] }, 'proposals.unknown_attachment'],
    [{ ...bid, attachmentFileIds: Array.from({ length: 11 }, () => randomUUID()) }, 'request.invalid'],
    [{ ...bid, state: 'hired' }, 'request.invalid'],
  ] as Array<[Record<string, unknown>, string]>) {
    const response = await submit(alice.token, payload)
    t.equal(response.statusCode, 400, JSON.stringify(payload).slice(0, 90))
    t.equal(response.json().code, code)
  }

  const created = await submit(alice.token, {
    ...bid,
    milestones: [
      { title: 'Design', amount: 30_000, dueDate: '2026-12-01' },
      { title: 'Build', amount: 50_000 },
    ],
  })
  t.equal(created.statusCode, 201)
  const proposal = created.json()
  t.equal(proposal.state, 'submitted')
  t.equal(proposal.currency, 'USD')
  t.match(proposal.threadId, /^[0-9a-f-]{36}$/, 'the private thread opens with the first proposal')
  t.same(proposal.milestones, [
    { title: 'Design', amount: 30_000, dueDate: '2026-12-01' },
    { title: 'Build', amount: 50_000, dueDate: null },
  ])

  const twice = await submit(alice.token, bid)
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'proposals.already_proposed')

  // After withdrawing, a freelancer may propose again (one *live* proposal per job).
  await act(call, alice.token, `/api/v1/proposals/${proposal.id}/withdraw`)
  const second = await submit(alice.token, bid)
  t.equal(second.statusCode, 201)
  t.equal(second.json().threadId, proposal.threadId, 'the same thread carries on')

  // Racing submissions: exactly one wins.
  const race = await Promise.all([submit(bob.token, bid), submit(bob.token, bid)])
  t.same(race.map((r) => r.statusCode).sort(), [201, 409], 'two racing submissions: one live proposal')

  // The deadline closes proposals and edits.
  clock.advance(2 * DAY)
  const late = await submit(carol.token, bid)
  t.equal(late.statusCode, 409)
  t.equal(late.json().code, 'proposals.deadline_passed')
  const lateEdit = await call({
    method: 'PATCH',
    url: `/api/v1/proposals/${second.json().id}`,
    token: alice.token,
    payload: { bidAmount: 70_000 },
  })
  t.equal(lateEdit.statusCode, 409)
  t.equal(lateEdit.json().code, 'proposals.deadline_passed')
  const stillWithdraw = await call({
    method: 'POST',
    url: `/api/v1/proposals/${second.json().id}/withdraw`,
    token: alice.token,
  })
  t.equal(stillWithdraw.statusCode, 200, 'withdrawing is allowed after the deadline')

  // Closed, draft and invite-only jobs.
  const closed = await postJob(call, client.token)
  await act(call, client.token, `/api/v1/jobs/${closed.id}/close`)
  const onClosed = await submit(carol.token, bid, closed.id)
  t.equal(onClosed.statusCode, 409)
  t.equal(onClosed.json().code, 'jobs.not_open')
  const draft = await postJob(call, client.token, fixedJob, { publish: false })
  t.equal((await submit(carol.token, bid, draft.id)).statusCode, 404, 'a draft is not there for freelancers')
  const private_ = await postJob(call, client.token, { ...hourlyJob, visibility: 'invite-only' })
  t.equal(
    (await submit(carol.token, { coverLetter: 'Hi', hourlyRate: 4_000, estimatedDays: 5 }, private_.id)).statusCode,
    404,
    'not invited: the job does not exist',
  )
  await invite(call, client.token, private_.id, carol.id)
  const hourly = await submit(carol.token, { coverLetter: 'Hi', hourlyRate: 4_000, estimatedDays: 5 }, private_.id)
  t.equal(hourly.statusCode, 201, 'invited: may propose')
  t.equal(hourly.json().hourlyRate, 4_000)
  t.equal(hourly.json().bidAmount, null)
  const hourlyPlan = await call({
    method: 'PATCH',
    url: `/api/v1/proposals/${hourly.json().id}`,
    token: carol.token,
    payload: { milestones: [{ title: 'x', amount: 1 }] },
  })
  t.equal(hourlyPlan.json().code, 'proposals.milestones_not_fixed')
})

t.test('listing proposals: the client sees all, a freelancer only their own', async (t) => {
  const { call, register, clock } = await build(t)
  const [client, alice, bob, stranger] = await Promise.all([
    register('Client'),
    register('Alice'),
    register('Bob'),
    register('Stranger'),
  ])
  const job = await postJob(call, client.token)
  const a = await propose(call, alice.token, job.id, {
    coverLetter: 'Alice letter',
    bidAmount: 80_000,
    estimatedDays: 10,
  })
  clock.advance(HOUR)
  const b = await propose(call, bob.token, job.id, { coverLetter: 'Bob letter', bidAmount: 60_000, estimatedDays: 20 })
  const list = (token: string, query = '') =>
    call({ method: 'GET', url: `/api/v1/jobs/${job.id}/proposals${query}`, token })

  t.same(
    (await list(client.token)).json().items.map((p: { id: string }) => p.id),
    [b.id, a.id],
    'the client: all, newest first',
  )
  const page1 = (await list(client.token, '?limit=1')).json()
  const page2 = (await list(client.token, `?limit=1&cursor=${encodeURIComponent(page1.nextCursor)}`)).json()
  t.same(
    [...page1.items, ...page2.items].map((p: { id: string }) => p.id),
    [b.id, a.id],
    'cursor pages',
  )
  t.equal(page2.nextCursor, null)
  const alices = await list(alice.token)
  t.same(
    alices.json().items.map((p: { id: string }) => p.id),
    [a.id],
    'a freelancer: only their own',
  )
  t.notMatch(alices.body, /Bob letter/)
  t.equal((await list(stranger.token)).statusCode, 404, 'not a member: 404, even on a public job')
  t.equal((await list(client.token, '?state=declined')).json().items.length, 0)
  const mine = await call({ method: 'GET', url: '/api/v1/me/proposals', token: bob.token })
  t.same(
    mine.json().items.map((p: { id: string; jobTitle: string }) => [p.id, p.jobTitle]),
    [[b.id, fixedJob.title]],
  )
})

t.test('attachments must be files of this workroom the freelancer can see', async (t) => {
  const { app, call, register, clock } = await build(t)
  const [client, alice, bob] = await Promise.all([register('Client'), register('Alice'), register('Bob')])
  const job = await postJob(call, client.token)
  const a = await propose(call, alice.token, job.id)
  const b = await propose(call, bob.token, job.id)
  // Rows as the files module stores them (its upload route is tested there).
  const file = async (input: { freelancerId: string | null; threadId: string | null; deleted?: boolean }) => {
    const id = randomUUID()
    await app.db.insert(filesTable).values({
      id,
      workroomId: job.workroomId,
      scope: input.threadId ? 'thread' : 'workroom',
      threadId: input.threadId,
      scopeFreelancerId: input.freelancerId,
      versionGroup: input.threadId ? `thread:${input.threadId}` : 'workroom',
      name: `${id}.pdf`,
      version: 1,
      storageKey: `test/${id}`,
      size: 10,
      sha256: '0'.repeat(64),
      contentType: 'application/pdf',
      uploaderId: input.freelancerId ?? client.id,
      createdAt: clock.now(),
      deletedAt: input.deleted ? clock.now() : null,
    })
    return id
  }
  const [thread] = await app.db
    .select({ id: threadsTable.id })
    .from(threadsTable)
    .where(eq(threadsTable.id, a.threadId))
  const alicesFile = await file({ freelancerId: alice.id, threadId: thread!.id })
  const sharedFile = await file({ freelancerId: null, threadId: null })
  const bobsFile = await file({ freelancerId: bob.id, threadId: b.threadId })
  const deletedFile = await file({ freelancerId: alice.id, threadId: thread!.id, deleted: true })
  const patch = (ids: string[]) =>
    call({ method: 'PATCH', url: `/api/v1/proposals/${a.id}`, token: alice.token, payload: { attachmentFileIds: ids } })

  const ok = await patch([alicesFile, sharedFile, alicesFile.toUpperCase()])
  t.equal(ok.statusCode, 200)
  t.same(ok.json().attachmentFileIds.sort(), [alicesFile, sharedFile].sort(), 'own and shared files, duplicates folded')
  for (const [ids, label] of [
    [[bobsFile], 'another bidder’s file'],
    [[deletedFile], 'a deleted file'],
    [[randomUUID()], 'a file that does not exist'],
  ] as Array<[string[], string]>) {
    const refused = await patch(ids)
    t.equal(refused.statusCode, 400, label)
    t.equal(refused.json().code, 'proposals.unknown_attachment', label)
  }
  t.same(
    (await call({ method: 'GET', url: `/api/v1/proposals/${a.id}`, token: client.token })).json().attachmentFileIds
      .length,
    2,
    'refused edits changed nothing',
  )
})
