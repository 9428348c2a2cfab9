import { and, eq } from 'drizzle-orm'
import t from 'tap'
import { activityEntriesTable, deadlinesTable } from '../../../db/schema/index.js'
import { build } from '../../../test/helper.js'
import { act, fixedJob, hire, hourlyJob, postJob, propose } from '../../../test/marketplace.js'
import { DAY, MINUTE } from '../../clock.js'
import type { ContractStateChange } from './contracts.service.js'

t.setTimeout(120_000)

t.test('hiring drafts the offer from the proposal', async (t) => {
  const { call, register, clock } = await build(t)
  const [client, alice, bob, carol] = await Promise.all([
    register('Client'),
    register('Alice'),
    register('Bob'),
    register('Carol'),
  ])
  const job = await postJob(call, client.token)
  const planned = await propose(call, alice.token, job.id, {
    coverLetter: 'Two steps',
    bidAmount: 90_000,
    estimatedDays: 20,
    milestones: [
      { title: 'Design', amount: 40_000, dueDate: '2026-12-05' },
      { title: 'Build', amount: 50_000 },
    ],
  })
  const simple = await propose(call, bob.token, job.id, { coverLetter: 'One go', bidAmount: 70_000, estimatedDays: 10 })

  const offer = await hire(call, client.token, planned.id)
  t.equal(offer.state, 'offered')
  t.equal(offer.freelancerId, alice.id)
  t.equal(offer.clientId, client.id)
  t.equal(offer.threadId, planned.threadId, 'the proposal thread carries into the contract')
  t.equal(offer.offerExpiresAt, new Date(clock.now().getTime() + 30 * DAY).toISOString())
  t.same(offer.initialTerms, {
    arrangement: 'fixed',
    currency: 'USD',
    price: 90_000,
    hourlyRate: null,
    weeklyLimitMinutes: null,
    manualTimeAllowed: false,
    milestones: [
      { title: 'Design', amount: 40_000, dueDate: '2026-12-05' },
      { title: 'Build', amount: 50_000, dueDate: null },
    ],
    scope: fixedJob.description,
  })
  t.equal(offer.price, null, 'nothing binds before the freelancer accepts')

  const second = await hire(call, client.token, simple.id)
  t.same(
    second.initialTerms.milestones,
    [{ title: fixedJob.title, amount: 70_000, dueDate: '2026-12-03' }],
    'no plan: one milestone of the whole price, due after the estimate',
  )
  t.not(second.id, offer.id, 'a job may hire several freelancers')

  const hourly = await postJob(call, client.token, hourlyJob)
  const rate = await propose(call, carol.token, hourly.id, {
    coverLetter: 'Hourly',
    hourlyRate: 4_500,
    estimatedDays: 30,
  })
  const hourlyOffer = await hire(call, client.token, rate.id)
  t.same(hourlyOffer.initialTerms, {
    arrangement: 'hourly',
    currency: 'USD',
    price: null,
    hourlyRate: 4_500,
    weeklyLimitMinutes: 2400,
    manualTimeAllowed: false,
    milestones: [],
    scope: hourlyJob.description,
  })
  const accepted = await act(call, carol.token, `/api/v1/contracts/${hourlyOffer.id}/accept`)
  t.equal(accepted.state, 'active')
  t.same(
    [accepted.hourlyRate, accepted.weeklyLimitMinutes, accepted.manualTimeAllowed],
    [4_500, 2400, false],
    'accepting binds the offered terms',
  )
  t.equal(accepted.acceptedAt, clock.now().toISOString())

  const mine = await call({ method: 'GET', url: '/api/v1/me/contracts?role=freelancer', token: carol.token })
  t.same(
    mine.json().items.map((c: { id: string }) => c.id),
    [hourlyOffer.id],
  )
  const asClient = await call({ method: 'GET', url: '/api/v1/me/contracts?role=client&limit=2', token: client.token })
  t.equal(asClient.json().items.length, 2)
  t.type(asClient.json().nextCursor, 'string')
  const rest = await call({
    method: 'GET',
    url: `/api/v1/me/contracts?role=client&limit=2&cursor=${encodeURIComponent(asClient.json().nextCursor)}`,
    token: client.token,
  })
  t.equal(rest.json().items.length, 1)
  t.equal(rest.json().nextCursor, null)
  t.equal(
    (await call({ method: 'GET', url: '/api/v1/me/contracts?role=freelancer', token: client.token })).json().items
      .length,
    0,
  )
})

t.test('one contract per proposal, also when two hires race', async (t) => {
  const { app, call, register } = await build(t)
  const [client, alice, bob] = await Promise.all([register('Client'), register('Alice'), register('Bob')])
  const job = await postJob(call, client.token)
  const a = await propose(call, alice.token, job.id)
  const b = await propose(call, bob.token, job.id)
  await hire(call, client.token, a.id)
  const again = await call({ method: 'POST', url: `/api/v1/proposals/${a.id}/hire`, token: client.token })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'contracts.already_hired')

  const race = await Promise.all(
    [1, 2, 3].map(() => call({ method: 'POST', url: `/api/v1/proposals/${b.id}/hire`, token: client.token })),
  )
  t.same(race.map((r) => r.statusCode).sort(), [201, 409, 409])
  t.same(
    race.filter((r) => r.statusCode === 409).map((r) => r.json().code),
    ['contracts.already_hired', 'contracts.already_hired'],
  )
  const deadlines = await app.db.select().from(deadlinesTable).where(eq(deadlinesTable.kind, 'contract.offer-expiry'))
  t.equal(deadlines.length, 2, 'one expiry deadline per offer')
})

t.test('the contract state machine', async (t) => {
  const { call, register } = await build(t)
  const [client, alice, bob] = await Promise.all([register('Client'), register('Alice'), register('Bob')])
  const job = await postJob(call, client.token)
  const offer = await hire(call, client.token, (await propose(call, alice.token, job.id)).id)
  const post = (token: string, action: string, id = offer.id) =>
    call({ method: 'POST', url: `/api/v1/contracts/${id}/${action}`, token })
  const refused = async (token: string, action: string, status: number, code: string, id = offer.id) => {
    const response = await post(token, action, id)
    t.equal(response.statusCode, status, `${action}: ${status}`)
    t.equal(response.json().code, code, `${action}: ${code}`)
  }

  await refused(client.token, 'accept', 403, 'contracts.freelancer_only')
  await refused(alice.token, 'pause', 403, 'contracts.client_only')
  await refused(client.token, 'pause', 409, 'contracts.invalid_transition')
  await refused(alice.token, 'end', 403, 'contracts.client_only')
  t.equal((await post(alice.token, 'accept')).json().state, 'active')
  await refused(alice.token, 'accept', 409, 'contracts.invalid_transition')
  await refused(alice.token, 'decline', 409, 'contracts.invalid_transition')
  await refused(client.token, 'resume', 409, 'contracts.invalid_transition')
  t.equal((await post(client.token, 'pause')).json().state, 'paused')
  await refused(client.token, 'pause', 409, 'contracts.invalid_transition')
  t.equal((await post(client.token, 'resume')).json().state, 'active')
  const ended = (await post(alice.token, 'end')).json()
  t.equal(ended.state, 'ended', 'the freelancer may end a running contract')
  t.type(ended.endedAt, 'string')
  await refused(client.token, 'end', 409, 'contracts.invalid_transition')
  await refused(client.token, 'resume', 409, 'contracts.invalid_transition')

  // The other outcomes of an offer: declined by the freelancer, withdrawn by the client.
  const second = await hire(call, client.token, (await propose(call, bob.token, job.id)).id)
  t.equal((await post(bob.token, 'decline', second.id)).json().state, 'declined')
  await refused(bob.token, 'accept', 409, 'contracts.invalid_transition', second.id)
  const third = await postJob(call, client.token)
  const offer3 = await hire(call, client.token, (await propose(call, bob.token, third.id)).id)
  const withdrawn = (await post(client.token, 'end', offer3.id)).json()
  t.equal(withdrawn.state, 'ended', 'the client may withdraw an unanswered offer')
  await refused(bob.token, 'accept', 409, 'contracts.invalid_transition', offer3.id)
})

t.test('onStateChange hooks see every change inside its transaction', async (t) => {
  const { app, call, register } = await build(t)
  const [client, alice] = await Promise.all([register('Client'), register('Alice')])
  const seen: Array<Pick<ContractStateChange, 'from' | 'to' | 'actorId'>> = []
  let refuse = false
  app.contracts.onStateChange(async (change) => {
    if (refuse) throw new Error('a later module refuses')
    seen.push({ from: change.from, to: change.to, actorId: change.actorId })
  })
  const job = await postJob(call, client.token)
  const offer = await hire(call, client.token, (await propose(call, alice.token, job.id)).id)
  await act(call, alice.token, `/api/v1/contracts/${offer.id}/accept`)
  t.same(seen, [
    { from: null, to: 'offered', actorId: client.id },
    { from: 'offered', to: 'active', actorId: alice.id },
  ])
  refuse = true
  const failed = await call({ method: 'POST', url: `/api/v1/contracts/${offer.id}/pause`, token: client.token })
  t.equal(failed.statusCode, 500)
  t.notMatch(failed.body, /refuses/, 'the 500 hides internal text')
  t.equal((await app.contracts.get(offer.id))?.state, 'active', 'a failing hook rolls the change back')
  const entries = await app.db
    .select()
    .from(activityEntriesTable)
    .where(and(eq(activityEntriesTable.workroomId, job.workroomId), eq(activityEntriesTable.type, 'contract.paused')))
  t.equal(entries.length, 0, 'and its activity entry')
})

t.test('an unanswered offer expires after 30 days, across a restart', async (t) => {
  // Sessions must outlive the month the test skips.
  const env = { SESSION_TTL_DAYS: '365' }
  const first = await build(t, { env })
  const { call, register, clock } = first
  const [client, alice, bob] = await Promise.all([register('Client'), register('Alice'), register('Bob')])
  const job = await postJob(call, client.token)
  const pending = await hire(call, client.token, (await propose(call, alice.token, job.id)).id)
  const answered = await hire(call, client.token, (await propose(call, bob.token, job.id)).id)
  await act(call, bob.token, `/api/v1/contracts/${answered.id}/accept`)

  clock.advance(30 * DAY - MINUTE)
  await first.app.scheduler.runDue()
  t.equal((await first.app.contracts.get(pending.id))?.state, 'offered', 'a minute early: still offered')

  clock.advance(2 * MINUTE)
  const tooLate = await call({ method: 'POST', url: `/api/v1/contracts/${pending.id}/accept`, token: alice.token })
  t.equal(tooLate.statusCode, 409, 'past its time the offer cannot be accepted, even before the deadline ran')
  t.equal(tooLate.json().code, 'contracts.offer_expired')

  // Restart: a new app on the same database, with none of the first one's memory.
  await first.app.close()
  const second = await build(t, { sameDatabaseAs: first, clock, env })
  t.ok((await second.app.scheduler.runDue()) >= 1, 'the deadline survived the restart and ran')
  const expired = await second.call({ method: 'GET', url: `/api/v1/contracts/${pending.id}`, token: alice.token })
  t.equal(expired.json().state, 'expired')
  const accept = await second.call({
    method: 'POST',
    url: `/api/v1/contracts/${pending.id}/accept`,
    token: alice.token,
  })
  t.equal(accept.statusCode, 409)
  t.equal(accept.json().code, 'contracts.invalid_transition')
  t.equal((await second.app.contracts.get(answered.id))?.state, 'active', 'an accepted offer does not expire')
  t.equal(await second.app.scheduler.runDue(), 0, 'it runs once')

  const entries = await second.app.db
    .select()
    .from(activityEntriesTable)
    .where(and(eq(activityEntriesTable.workroomId, job.workroomId), eq(activityEntriesTable.type, 'contract.expired')))
  t.equal(entries.length, 1)
  t.equal(entries[0]?.actorId, null, 'the system did it')
  t.equal(entries[0]?.scopeFreelancerId, alice.id)
})
