// The proposal state machine through the real API: who may move a proposal, which moves are
// refused from which state, and the activity each step leaves.
import { asc, eq } from 'drizzle-orm'
import t from 'tap'
import { activityEntriesTable } from '../../../db/schema/index.js'
import { build, type TestApp } from '../../../test/helper.js'
import { postJob, propose } from '../../../test/marketplace.js'

t.setTimeout(120_000)

t.test('the proposal state machine', async (t) => {
  const { app, call, register } = await build(t)
  const [client, alice, bob] = await Promise.all([register('Client'), register('Alice'), register('Bob')])
  const job = await postJob(call, client.token)
  const a = await propose(call, alice.token, job.id, {
    coverLetter: 'Alice here',
    bidAmount: 80_000,
    estimatedDays: 10,
  })
  const b = await propose(call, bob.token, job.id, { coverLetter: 'Bob here', bidAmount: 60_000, estimatedDays: 20 })
  const post = (token: string, url: string) => call({ method: 'POST', url, token })
  const expectRefusal = async (
    response: Awaited<ReturnType<TestApp['call']>>,
    status: number,
    code: string,
    label: string,
  ) => {
    t.equal(response.statusCode, status, label)
    t.equal(response.json().code, code, label)
  }

  await expectRefusal(
    await post(alice.token, `/api/v1/proposals/${a.id}/shortlist`),
    403,
    'proposals.client_only',
    'a freelancer cannot shortlist',
  )
  await expectRefusal(
    await post(client.token, `/api/v1/proposals/${a.id}/withdraw`),
    403,
    'proposals.freelancer_only',
    'the client cannot withdraw',
  )
  await expectRefusal(
    await post(bob.token, `/api/v1/proposals/${a.id}/withdraw`),
    404,
    'proposals.not_found',
    'another bidder does not see it',
  )

  const shortlisted = await post(client.token, `/api/v1/proposals/${a.id}/shortlist`)
  t.equal(shortlisted.json().state, 'shortlisted')
  await expectRefusal(
    await post(client.token, `/api/v1/proposals/${a.id}/shortlist`),
    409,
    'proposals.invalid_transition',
    'shortlisting twice',
  )

  // Editing keeps the state; the plan must still add up.
  const edited = await call({
    method: 'PATCH',
    url: `/api/v1/proposals/${a.id}`,
    token: alice.token,
    payload: { bidAmount: 90_000, coverLetter: 'Alice, revised' },
  })
  t.equal(edited.statusCode, 200)
  t.equal(edited.json().state, 'shortlisted')
  t.equal(edited.json().bidAmount, 90_000)
  const badPlan = await call({
    method: 'PATCH',
    url: `/api/v1/proposals/${a.id}`,
    token: alice.token,
    payload: { milestones: [{ title: 'All', amount: 80_000 }] },
  })
  t.equal(badPlan.json().code, 'proposals.milestones_total')
  const plan = await call({
    method: 'PATCH',
    url: `/api/v1/proposals/${a.id}`,
    token: alice.token,
    payload: { milestones: [{ title: 'All', amount: 90_000 }] },
  })
  t.equal(plan.json().milestones.length, 1)
  const noPlan = await call({
    method: 'PATCH',
    url: `/api/v1/proposals/${a.id}`,
    token: alice.token,
    payload: { milestones: null },
  })
  t.equal(noPlan.json().milestones, null, 'null removes the plan')
  await expectRefusal(
    await call({ method: 'PATCH', url: `/api/v1/proposals/${a.id}`, token: client.token, payload: { bidAmount: 1 } }),
    403,
    'proposals.freelancer_only',
    'the client cannot edit a bid',
  )

  const declined = await post(client.token, `/api/v1/proposals/${b.id}/decline`)
  t.equal(declined.json().state, 'declined')
  await expectRefusal(
    await post(bob.token, `/api/v1/proposals/${b.id}/withdraw`),
    409,
    'proposals.invalid_transition',
    'withdrawing a declined proposal',
  )
  await expectRefusal(
    await post(client.token, `/api/v1/proposals/${b.id}/shortlist`),
    409,
    'proposals.invalid_transition',
    'shortlisting a declined proposal',
  )
  await expectRefusal(
    await post(client.token, `/api/v1/proposals/${b.id}/hire`),
    409,
    'proposals.invalid_transition',
    'hiring a declined proposal',
  )
  await expectRefusal(
    await call({ method: 'PATCH', url: `/api/v1/proposals/${b.id}`, token: bob.token, payload: { bidAmount: 1 } }),
    409,
    'proposals.not_editable',
    'editing a declined proposal',
  )

  const contract = await post(client.token, `/api/v1/proposals/${a.id}/hire`)
  t.equal(contract.statusCode, 201)
  const hired = await call({ method: 'GET', url: `/api/v1/proposals/${a.id}`, token: alice.token })
  t.equal(hired.json().state, 'hired')
  t.equal(hired.json().contractId, contract.json().id)
  await expectRefusal(
    await post(alice.token, `/api/v1/proposals/${a.id}/withdraw`),
    409,
    'proposals.invalid_transition',
    'withdrawing a hired proposal',
  )
  await expectRefusal(
    await call({
      method: 'PATCH',
      url: `/api/v1/proposals/${a.id}`,
      token: alice.token,
      payload: { estimatedDays: 3 },
    }),
    409,
    'proposals.not_editable',
    'editing a hired proposal',
  )
  await expectRefusal(
    await post(client.token, `/api/v1/proposals/${a.id}/decline`),
    409,
    'proposals.invalid_transition',
    'declining a hired proposal',
  )

  // Every step is logged, scoped to the freelancer it concerns.
  const entries = await app.db
    .select({ type: activityEntriesTable.type, scope: activityEntriesTable.scopeFreelancerId })
    .from(activityEntriesTable)
    .where(eq(activityEntriesTable.workroomId, job.workroomId))
    .orderBy(asc(activityEntriesTable.seq))
  t.same(
    entries.filter((e) => e.type.startsWith('proposal.') || e.type.startsWith('contract.')),
    [
      { type: 'proposal.submitted', scope: alice.id },
      { type: 'proposal.submitted', scope: bob.id },
      { type: 'proposal.shortlisted', scope: alice.id },
      { type: 'proposal.edited', scope: alice.id },
      { type: 'proposal.edited', scope: alice.id },
      { type: 'proposal.edited', scope: alice.id },
      { type: 'proposal.declined', scope: bob.id },
      { type: 'contract.offered', scope: alice.id },
    ],
  )
})
