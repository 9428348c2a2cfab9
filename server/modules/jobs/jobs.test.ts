import { asc, eq } from 'drizzle-orm'
import t from 'tap'
import { activityEntriesTable } from '../../../db/schema/index.js'
import { build, type TestApp } from '../../../test/helper.js'
import { fixedJob, hourlyJob, postJob, propose } from '../../../test/marketplace.js'
import { DAY, HOUR } from '../../clock.js'

t.setTimeout(120_000)

const activity = async (app: TestApp['app'], workroomId: string) =>
  (
    await app.db
      .select({
        type: activityEntriesTable.type,
        scope: activityEntriesTable.scopeFreelancerId,
        data: activityEntriesTable.data,
      })
      .from(activityEntriesTable)
      .where(eq(activityEntriesTable.workroomId, workroomId))
      .orderBy(asc(activityEntriesTable.seq))
  ).map((e) => ({ ...e, data: e.data as Record<string, unknown> }))

t.test('post, edit, publish, close and cancel a job', async (t) => {
  const { app, call, register, clock } = await build(t)
  const client = await register('Client')
  const created = await call({
    method: 'POST',
    url: '/api/v1/jobs',
    token: client.token,
    payload: {
      ...fixedJob,
      skills: [' TypeScript ', 'typescript', 'Node  JS'],
      category: 'Web',
      proposalDeadline: new Date(clock.now().getTime() + 7 * DAY).toISOString(),
    },
  })
  t.equal(created.statusCode, 201)
  const job = created.json()
  t.equal(job.state, 'draft')
  t.match(job.workroomId, /^[0-9a-f-]{36}$/, 'the workroom is created with the job')
  t.same(job.skills, ['typescript', 'node js'], 'skills are tags: trimmed, lower-cased, de-duplicated')
  t.equal(job.budgetMin, 50_000)
  t.equal(job.rateMin, null)

  const room = await call({ method: 'GET', url: `/api/v1/workrooms/${job.workroomId}`, token: client.token })
  t.equal(room.statusCode, 200)
  t.equal(room.json().role, 'client')

  // Edits while a draft: the range follows the arrangement.
  const toHourly = await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { arrangement: 'hourly' },
  })
  t.equal(toHourly.statusCode, 400, 'switching arrangement needs the new range')
  t.equal(toHourly.json().code, 'jobs.range_required')
  const switched = await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { arrangement: 'hourly', rateMin: 4_000, rateMax: 6_000 },
  })
  t.equal(switched.statusCode, 200)
  t.same(
    [switched.json().budgetMin, switched.json().budgetMax, switched.json().rateMin],
    [null, null, 4_000],
    'the old range is dropped',
  )
  const inverted = await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { rateMin: 7_000 },
  })
  t.equal(inverted.json().code, 'jobs.range_inverted')
  const mismatch = await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { budgetMax: 7_000 },
  })
  t.equal(mismatch.json().code, 'jobs.range_mismatch')
  const past = await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { proposalDeadline: '2020-01-01T00:00:00Z' },
  })
  t.equal(past.statusCode, 400)
  t.equal(past.json().code, 'jobs.deadline_in_past')
  const back = await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { arrangement: 'fixed', budgetMin: 10_000, budgetMax: 20_000, title: '  New title ', category: null },
  })
  t.equal(back.statusCode, 200)
  t.equal(back.json().title, 'New title')
  t.equal(back.json().category, null)

  // A deadline that passed while the job was a draft must be moved before publishing.
  clock.advance(8 * DAY)
  const late = await call({ method: 'POST', url: `/api/v1/jobs/${job.id}/publish`, token: client.token })
  t.equal(late.statusCode, 409)
  t.equal(late.json().code, 'jobs.deadline_passed')
  await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { proposalDeadline: null },
  })
  const published = await call({ method: 'POST', url: `/api/v1/jobs/${job.id}/publish`, token: client.token })
  t.equal(published.statusCode, 200)
  t.equal(published.json().state, 'open')
  t.equal(published.json().publishedAt, clock.now().toISOString())

  const again = await call({ method: 'POST', url: `/api/v1/jobs/${job.id}/publish`, token: client.token })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'jobs.invalid_transition')

  // Once someone proposed, the arrangement and currency are frozen; other fields are not.
  const freelancer = await register('Freelancer')
  await propose(call, freelancer.token, job.id, { coverLetter: 'Me', bidAmount: 15_000, estimatedDays: 3 })
  const locked = await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { currency: 'EUR' },
  })
  t.equal(locked.statusCode, 409)
  t.equal(locked.json().code, 'jobs.terms_locked')
  t.equal(
    (
      await call({
        method: 'PATCH',
        url: `/api/v1/jobs/${job.id}`,
        token: client.token,
        payload: { budgetMax: 30_000 },
      })
    ).statusCode,
    200,
  )

  const closed = await call({ method: 'POST', url: `/api/v1/jobs/${job.id}/close`, token: client.token })
  t.equal(closed.json().state, 'closed', 'nobody hired: closed')
  const edit = await call({
    method: 'PATCH',
    url: `/api/v1/jobs/${job.id}`,
    token: client.token,
    payload: { title: 'Too late' },
  })
  t.equal(edit.statusCode, 409)
  t.equal(edit.json().code, 'jobs.not_editable')
  const cancelled = await call({ method: 'POST', url: `/api/v1/jobs/${job.id}/cancel`, token: client.token })
  t.equal(cancelled.json().state, 'cancelled')
  const twice = await call({ method: 'POST', url: `/api/v1/jobs/${job.id}/cancel`, token: client.token })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'jobs.invalid_transition')

  t.same(
    (await activity(app, job.workroomId)).map((e) => e.type),
    [
      'job.created',
      'job.updated',
      'job.updated',
      'job.updated',
      'job.published',
      'proposal.submitted',
      'job.updated',
      'job.closed',
      'job.cancelled',
    ],
    'every change is in the activity log, failed attempts are not',
  )
})

t.test('invalid job bodies are refused and create nothing', async (t) => {
  const { call, register } = await build(t)
  const client = await register('Client')
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...fixedJob, currency: 'XYZ' }, 'request.invalid'],
    [{ ...fixedJob, currency: 'usd' }, 'request.invalid'],
    [{ ...fixedJob, budgetMin: 10.5 }, 'request.invalid'],
    [{ ...fixedJob, budgetMin: -1 }, 'request.invalid'],
    [{ ...fixedJob, budgetMin: '100' }, 'request.invalid'],
    [{ ...fixedJob, budgetMin: 2, budgetMax: 1 }, 'jobs.range_inverted'],
    [{ ...fixedJob, budgetMax: undefined }, 'jobs.range_required'],
    [{ ...fixedJob, rateMin: 1, rateMax: 2 }, 'jobs.range_mismatch'],
    [{ ...hourlyJob, budgetMin: 1, budgetMax: 2 }, 'jobs.range_mismatch'],
    [{ ...fixedJob, title: '   ' }, 'request.invalid'],
    [{ ...fixedJob, visibility: 'secret' }, 'request.invalid'],
    [{ ...fixedJob, state: 'open' }, 'request.invalid'],
    [{ ...fixedJob, clientId: client.id }, 'request.invalid'],
    [{ ...fixedJob, proposalDeadline: '2001-01-01T00:00:00Z' }, 'jobs.deadline_in_past'],
    [{ ...fixedJob, skills: Array.from({ length: 21 }, (_, i) => `s${i}`) }, 'request.invalid'],
  ]
  for (const [payload, code] of cases) {
    const response = await call({ method: 'POST', url: '/api/v1/jobs', token: client.token, payload })
    t.equal(response.statusCode, 400, JSON.stringify(payload).slice(0, 80))
    t.equal(response.json().code, code)
  }
  const mine = await call({ method: 'GET', url: '/api/v1/me/jobs', token: client.token })
  t.same(mine.json().items, [], 'nothing was created')
  const hourly = await call({ method: 'POST', url: '/api/v1/jobs', token: client.token, payload: hourlyJob })
  t.equal(hourly.statusCode, 201)
  t.same([hourly.json().rateMin, hourly.json().rateMax, hourly.json().budgetMin], [3_000, 6_000, null])
})

t.test('invites: client only, open jobs, admit the freelancer with a private thread', async (t) => {
  const { app, call, register } = await build(t)
  const [client, freelancer, other] = await Promise.all([register('Client'), register('Freelancer'), register('Other')])
  const draft = await postJob(call, client.token, { ...fixedJob, visibility: 'invite-only' }, { publish: false })
  const early = await call({
    method: 'POST',
    url: `/api/v1/jobs/${draft.id}/invites`,
    token: client.token,
    payload: { freelancerId: freelancer.id },
  })
  t.equal(early.statusCode, 409, 'no invites on a draft')
  t.equal(early.json().code, 'jobs.not_open')
  await call({ method: 'POST', url: `/api/v1/jobs/${draft.id}/publish`, token: client.token })

  const invited = await call({
    method: 'POST',
    url: `/api/v1/jobs/${draft.id}/invites`,
    token: client.token,
    payload: { freelancerId: freelancer.id },
  })
  t.equal(invited.statusCode, 201)
  t.equal(invited.json().freelancerId, freelancer.id)
  const again = await call({
    method: 'POST',
    url: `/api/v1/jobs/${draft.id}/invites`,
    token: client.token,
    payload: { freelancerId: freelancer.id },
  })
  t.equal(again.statusCode, 200, 'inviting twice is harmless')
  t.equal(again.json().threadId, invited.json().threadId)
  const self = await call({
    method: 'POST',
    url: `/api/v1/jobs/${draft.id}/invites`,
    token: client.token,
    payload: { freelancerId: client.id },
  })
  t.equal(self.json().code, 'jobs.invite_self')
  const nobody = await call({
    method: 'POST',
    url: `/api/v1/jobs/${draft.id}/invites`,
    token: client.token,
    payload: { freelancerId: '00000000-0000-4000-8000-000000000000' },
  })
  t.equal(nobody.json().code, 'jobs.unknown_freelancer')
  const byFreelancer = await call({
    method: 'POST',
    url: `/api/v1/jobs/${draft.id}/invites`,
    token: freelancer.token,
    payload: { freelancerId: other.id },
  })
  t.equal(byFreelancer.statusCode, 403, 'the invited freelancer sees the job but cannot invite')
  const byOther = await call({
    method: 'POST',
    url: `/api/v1/jobs/${draft.id}/invites`,
    token: other.token,
    payload: { freelancerId: other.id },
  })
  t.equal(byOther.statusCode, 404, 'someone who cannot see the invite-only job gets 404')

  const room = await call({ method: 'GET', url: `/api/v1/workrooms/${draft.workroomId}`, token: freelancer.token })
  t.equal(room.statusCode, 200)
  t.equal(room.json().threadId, invited.json().threadId)
  t.same(
    room.json().invites.map((i: { freelancerId: string }) => i.freelancerId),
    [freelancer.id],
  )
  const entries = await activity(app, draft.workroomId)
  const inviteEntry = entries.find((e) => e.type === 'job.invited')
  t.equal(inviteEntry?.scope, freelancer.id, 'the invite entry is scoped to that freelancer')
  t.equal(entries.filter((e) => e.type === 'job.invited').length, 1, 'one entry for one invite')
})

t.test('closing after a hire makes the job awarded; cancel waits for running contracts', async (t) => {
  const { call, register, clock } = await build(t)
  const [client, freelancer] = await Promise.all([register('Client'), register('Freelancer')])
  const job = await postJob(call, client.token)
  const proposal = await propose(call, freelancer.token, job.id)
  clock.advance(HOUR)
  const contract = (
    await call({ method: 'POST', url: `/api/v1/proposals/${proposal.id}/hire`, token: client.token })
  ).json()
  const cancel = await call({ method: 'POST', url: `/api/v1/jobs/${job.id}/cancel`, token: client.token })
  t.equal(cancel.statusCode, 409)
  t.equal(cancel.json().code, 'jobs.has_contracts')
  const closed = await call({ method: 'POST', url: `/api/v1/jobs/${job.id}/close`, token: client.token })
  t.equal(closed.json().state, 'awarded')
  const accepted = await call({
    method: 'POST',
    url: `/api/v1/contracts/${contract.id}/accept`,
    token: freelancer.token,
  })
  t.equal(accepted.json().state, 'active', 'an offer made before closing can still be accepted')
})
