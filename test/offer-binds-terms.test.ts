// An accepted offer is a working contract: the hire freezes terms version 1 from the
// proposal, the freelancer's accept binds it, and the first milestone can be funded with
// no further round of terms. A milestone plan is valid by the same rules wherever it is
// written (docs/contract-lifecycle.md).
import t from 'tap'
import * as Y from 'yjs'
import { readTerms } from '../common/terms.js'
import { createContract } from './fixtures/contract.js'
import { build, type TestApp, type TestUser } from './helper.js'
import { act, fixedJob, hire, hourlyJob, postJob, propose } from './marketplace.js'
import { depositConfirmed, idem, makeOperator, verifyLedger } from './money.js'

t.setTimeout(180_000)

const get = async (ctx: TestApp, token: string, url: string) => {
  const response = await ctx.call({ method: 'GET', url, token })
  if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode} ${response.body}`)
  return response.json()
}
const versionsOf = (ctx: TestApp, user: TestUser, contractId: string) =>
  get(ctx, user.token, `/api/v1/contracts/${contractId}/terms/versions`)
const milestonesOf = (ctx: TestApp, user: TestUser, contractId: string) =>
  get(ctx, user.token, `/api/v1/contracts/${contractId}/milestones`)

t.test('a plan without due dates: hire, accept, fund the first milestone at once', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const [client, freelancer, operator] = [
    await ctx.register('Cleo'),
    await ctx.register('Fred'),
    await makeOperator(ctx),
  ]
  const job = await postJob(call, client.token)
  const plan = [
    { title: 'Design', amount: 30_000 },
    { title: 'Build', amount: 50_000, dueDate: null },
  ]
  const proposal = await propose(call, freelancer.token, job.id, {
    coverLetter: 'Two steps.',
    bidAmount: 80_000,
    estimatedDays: 20,
    milestones: plan,
  })

  const offered = await hire(call, client.token, proposal.id)
  t.equal(offered.state, 'offered')
  t.equal(offered.boundTermsVersion, null, 'nothing binds before the freelancer accepts')
  const [offer] = (await versionsOf(ctx, freelancer, offered.id)).items
  t.match(
    offer,
    { version: 1, proposedBy: client.id, freelancerAcceptedAt: null, boundAt: null },
    'the hire froze version 1',
  )
  t.ok(offer.clientAcceptedAt, 'the hire is the client’s acceptance')
  t.same(offer.terms.milestones, [
    { title: 'Design', amount: 30_000, dueDate: null },
    { title: 'Build', amount: 50_000, dueDate: null },
  ])
  t.same((await milestonesOf(ctx, client, offered.id)).items, [], 'no milestones while the offer is open')

  const active = await act(call, freelancer.token, `/api/v1/contracts/${offered.id}/accept`)
  t.equal(active.state, 'active')
  t.equal(active.boundTermsVersion, 1, 'accepting the offer binds version 1')
  t.equal(active.price, 80_000)
  const [bound] = (await versionsOf(ctx, client, offered.id)).items
  t.ok(bound.freelancerAcceptedAt && bound.boundAt, 'version 1 accepted by both and bound')
  t.equal(bound.hash, offer.hash, 'the hash both accepted')
  const milestones = (await milestonesOf(ctx, client, offered.id)).items
  t.match(milestones, [
    { title: 'Design', amount: 30_000, dueDate: null, state: 'pending' },
    { title: 'Build', amount: 50_000, dueDate: null, state: 'pending' },
  ])

  await depositConfirmed(ctx, client, operator, 30_000)
  const funded = await call({
    method: 'POST',
    url: `/api/v1/milestones/${milestones[0].id}/fund`,
    token: client.token,
    headers: idem(),
  })
  t.equal(funded.statusCode, 200, 'the first milestone is funded with no terms round')
  t.match(funded.json(), { state: 'funded', held: 30_000 })
  t.equal((await versionsOf(ctx, client, offered.id)).items.length, 1, 'still one version')
  t.match(await verifyLedger(ctx, operator), { ok: true })

  // The live terms start from version 1; a later change is a new version both accept.
  const docName = `contract:${offered.id}:terms`
  t.same(
    (await ctx.app.realtime.read(docName, readTerms)).milestones,
    [
      { title: 'Design', amount: 30_000, dueDate: null },
      { title: 'Build', amount: 50_000, dueDate: null },
    ],
    'the terms document holds version 1',
  )
  await ctx.app.realtime.write(docName, (doc) =>
    doc.getArray<Y.Map<unknown>>('milestones').get(1).set('title', 'Build and launch'),
  )
  const v2 = await call({
    method: 'POST',
    url: `/api/v1/contracts/${offered.id}/terms/versions`,
    token: freelancer.token,
  })
  t.equal(v2.statusCode, 201, 'a milestone without a due date can be proposed in the terms too')
  const agreed = await call({
    method: 'POST',
    url: `/api/v1/contracts/${offered.id}/terms/versions/2/accept`,
    token: client.token,
    payload: { hash: v2.json().hash },
  })
  t.equal(agreed.statusCode, 200)
  t.match((await milestonesOf(ctx, client, offered.id)).items, [
    { title: 'Design', state: 'funded' },
    { title: 'Build and launch', state: 'pending' },
  ])
})

t.test('a fixed bid without a plan binds one milestone of the whole bid', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const [client, freelancer, operator] = [
    await ctx.register('Cleo'),
    await ctx.register('Fred'),
    await makeOperator(ctx),
  ]
  const job = await postJob(call, client.token)
  const proposal = await propose(call, freelancer.token, job.id, {
    coverLetter: 'All at once.',
    bidAmount: 70_000,
    estimatedDays: 10,
  })
  const contract = await hire(call, client.token, proposal.id)
  await act(call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)
  const due = new Date(ctx.clock.now().getTime() + 10 * 86_400_000).toISOString().slice(0, 10)
  const [only, ...rest] = (await milestonesOf(ctx, client, contract.id)).items
  t.match(only, { title: fixedJob.title, amount: 70_000, dueDate: due, state: 'pending' })
  t.same(rest, [])
  await depositConfirmed(ctx, client, operator, 70_000)
  t.equal(
    (await call({ method: 'POST', url: `/api/v1/milestones/${only.id}/fund`, token: client.token, headers: idem() }))
      .statusCode,
    200,
  )
})

t.test('hourly: the rate, weekly limit and manual-time flag bind on accept', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const job = await postJob(call, client.token, hourlyJob)
  const proposal = await propose(call, freelancer.token, job.id, {
    coverLetter: 'Hourly.',
    hourlyRate: 4_500,
    estimatedDays: 30,
  })
  const contract = await hire(call, client.token, proposal.id)
  const active = await act(call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)
  t.match(active, {
    state: 'active',
    boundTermsVersion: 1,
    hourlyRate: 4_500,
    weeklyLimitMinutes: 2_400,
    manualTimeAllowed: false,
  })
  const [v1] = (await versionsOf(ctx, freelancer, contract.id)).items
  t.match(v1.terms, {
    price: null,
    hourlyRate: 4_500,
    weeklyLimitMinutes: 2_400,
    manualTimeAllowed: false,
    milestones: [],
  })
  t.ok(v1.boundAt)
})

t.test('an offer made before the hire froze it binds its terms on accept all the same', async (t) => {
  const ctx = await build(t)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  // An offered contract with no terms version, as contracts were before this rule. The fixture
  // has no job row (the contract's API view needs one), so the accept goes to the service.
  const { contractId } = await createContract(ctx.app, ctx.clock, {
    clientId: client.id,
    freelancerId: freelancer.id,
    state: 'offered',
  })
  await ctx.app.contracts.act({ userId: freelancer.id, contractId, action: 'accept' })
  const [offer, ...later] = (await versionsOf(ctx, client, contractId)).items
  t.match(offer, { version: 1, proposedBy: client.id, terms: { price: 100_000 } })
  t.ok(offer.clientAcceptedAt && offer.freelancerAcceptedAt && offer.boundAt, 'frozen and bound by the accept')
  t.same(later, [])
  t.match((await milestonesOf(ctx, client, contractId)).items, [
    { title: 'Landing page', amount: 100_000, state: 'pending' },
  ])
})

t.test('a declined offer leaves version 1 unbound', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const job = await postJob(call, client.token)
  const proposal = await propose(call, freelancer.token, job.id)
  const contract = await hire(call, client.token, proposal.id)
  const declined = await act(call, freelancer.token, `/api/v1/contracts/${contract.id}/decline`)
  t.match(declined, { state: 'declined', boundTermsVersion: null })
  t.match((await versionsOf(ctx, client, contract.id)).items, [
    { version: 1, boundAt: null, freelancerAcceptedAt: null },
  ])
  t.same((await milestonesOf(ctx, client, contract.id)).items, [])
})

t.test(
  'a plan that breaks the rules is refused at the proposal, naming the field, and nothing is created',
  async (t) => {
    const ctx = await build(t)
    const { call } = ctx
    const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
    const job = await postJob(call, client.token)
    const hourly = await postJob(call, client.token, hourlyJob)
    const bid = { coverLetter: 'Plan.', bidAmount: 80_000, estimatedDays: 10 }
    const cases: Array<[string, string, Record<string, unknown>, string, string]> = [
      [
        'amounts that do not add up to the bid',
        job.id,
        {
          ...bid,
          milestones: [
            { title: 'A', amount: 30_000 },
            { title: 'B', amount: 40_000 },
          ],
        },
        'proposals.milestones_total',
        'milestones',
      ],
      [
        'a zero amount',
        job.id,
        {
          ...bid,
          milestones: [
            { title: 'A', amount: 80_000 },
            { title: 'B', amount: 0 },
          ],
        },
        'request.invalid',
        'milestones.1.amount',
      ],
      [
        'a negative amount',
        job.id,
        {
          ...bid,
          milestones: [
            { title: 'A', amount: 90_000 },
            { title: 'B', amount: -10_000 },
          ],
        },
        'request.invalid',
        'milestones.1.amount',
      ],
      [
        'too many milestones',
        job.id,
        {
          ...bid,
          bidAmount: 21_000,
          milestones: Array.from({ length: 21 }, (_, i) => ({ title: `Step ${i + 1}`, amount: 1_000 })),
        },
        'request.invalid',
        'milestones',
      ],
      [
        'an impossible due date',
        job.id,
        { ...bid, milestones: [{ title: 'A', amount: 80_000, dueDate: '2027-02-30' }] },
        'request.invalid',
        'milestones.0.dueDate',
      ],
      [
        'a plan on an hourly job',
        hourly.id,
        { coverLetter: 'Plan.', hourlyRate: 4_000, estimatedDays: 10, milestones: [{ title: 'A', amount: 4_000 }] },
        'proposals.milestones_not_fixed',
        'milestones',
      ],
    ]
    for (const [label, jobId, payload, code, field] of cases) {
      const response = await call({
        method: 'POST',
        url: `/api/v1/jobs/${jobId}/proposals`,
        token: freelancer.token,
        payload,
      })
      t.equal(response.statusCode, 400, label)
      t.match(response.json(), { code, field }, `${label}: ${code} naming ${field}`)
    }
    t.same((await get(ctx, freelancer.token, '/api/v1/me/proposals')).items, [], 'no proposal was created')

    // Twenty milestones is the documented maximum; an edit is held to the same rules.
    const twenty = Array.from({ length: 20 }, (_, i) => ({ title: `Step ${i + 1}`, amount: 4_000 }))
    const proposal = await propose(call, freelancer.token, job.id, { ...bid, milestones: twenty })
    const edit = await call({
      method: 'PATCH',
      url: `/api/v1/proposals/${proposal.id}`,
      token: freelancer.token,
      payload: { bidAmount: 90_000 },
    })
    t.equal(edit.statusCode, 400, 'a new bid the plan no longer adds up to')
    t.match(edit.json(), { code: 'proposals.milestones_total', field: 'milestones' })
    t.equal(
      (await get(ctx, freelancer.token, `/api/v1/proposals/${proposal.id}`)).bidAmount,
      80_000,
      'the proposal is unchanged',
    )

    // What the proposal accepted, the hire freezes and the accept binds.
    const contract = await hire(call, client.token, proposal.id)
    await act(call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)
    t.equal((await milestonesOf(ctx, client, contract.id)).items.length, 20)
  },
)

t.test('the terms document follows the same plan rules', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const job = await postJob(call, client.token)
  const proposal = await propose(call, freelancer.token, job.id, {
    coverLetter: 'One.',
    bidAmount: 21_000,
    estimatedDays: 10,
  })
  const contract = await hire(call, client.token, proposal.id)
  await act(call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)
  const docName = `contract:${contract.id}:terms`
  const url = `/api/v1/contracts/${contract.id}/terms/versions`
  const milestone = (title: string, amount: number, dueDate: string | null) => {
    const map = new Y.Map<unknown>()
    for (const [key, value] of Object.entries({ title, amount, dueDate })) map.set(key, value)
    return map
  }
  const replacePlan = (plan: Array<Y.Map<unknown>>) =>
    ctx.app.realtime.write(docName, (doc) => {
      const list = doc.getArray<Y.Map<unknown>>('milestones')
      list.delete(0, list.length)
      list.push(plan)
    })

  await replacePlan(Array.from({ length: 21 }, (_, i) => milestone(`Step ${i + 1}`, 1_000, null)))
  const tooMany = await call({ method: 'POST', url, token: client.token })
  t.equal(tooMany.statusCode, 400)
  t.match(tooMany.json(), { code: 'terms.invalid', field: 'milestones' }, 'more than 20 milestones')

  await replacePlan([milestone('A', 21_000, '2027-02-30')])
  const badDate = await call({ method: 'POST', url, token: client.token })
  t.match(badDate.json(), { code: 'terms.invalid', field: 'milestones.0.dueDate' }, 'an impossible date')

  await replacePlan([milestone('A', 0, null), milestone('B', 21_000, null)])
  t.match(
    (await call({ method: 'POST', url, token: client.token })).json(),
    { code: 'terms.invalid', field: 'milestones.0.amount' },
    'a zero amount',
  )

  await replacePlan([milestone('A', 1_000, null), milestone('B', 20_000, '')])
  const ok = await call({ method: 'POST', url, token: client.token })
  t.equal(ok.statusCode, 201, 'no due dates, one left empty: valid')
  t.same(ok.json().terms.milestones, [
    { title: 'A', amount: 1_000, dueDate: null },
    { title: 'B', amount: 20_000, dueDate: null },
  ])
  t.equal((await versionsOf(ctx, client, contract.id)).items.length, 2, 'refused drafts made no version')
})
