// Terms co-edited and bound while the offer is still open must survive the freelancer's
// acceptance of the offer: accepting binds the initial terms only when nothing else bound.
import t from 'tap'
import * as Y from 'yjs'
import { build } from './helper.js'
import { act, hire, postJob, propose } from './marketplace.js'

t.setTimeout(120_000)

t.test('a version bound before the offer is accepted stays binding after it', async (t) => {
  const test = await build(t)
  const { call, app } = test
  const client = await test.register('Client')
  const freelancer = await test.register('Freelancer')
  const job = await postJob(call, client.token)
  const proposal = await propose(call, freelancer.token, job.id, {
    coverLetter: 'Happy to help.',
    bidAmount: 80_000,
    estimatedDays: 14,
  })
  const contract = await hire(call, client.token, proposal.id)

  await app.realtime.write(`contract:${contract.id}:terms`, (doc) => {
    doc.getMap('terms').set('price', 90_000)
    doc.getArray<Y.Map<unknown>>('milestones').get(0).set('amount', 90_000)
  })
  const proposed = await call({
    method: 'POST',
    url: `/api/v1/contracts/${contract.id}/terms/versions`,
    token: client.token,
  })
  t.equal(proposed.statusCode, 201)
  const version = proposed.json()
  const bound = await call({
    method: 'POST',
    url: `/api/v1/contracts/${contract.id}/terms/versions/${version.version}/accept`,
    token: freelancer.token,
    payload: { hash: version.hash },
  })
  t.equal(bound.statusCode, 200)

  const active = await act(call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)
  t.equal(active.state, 'active')
  const read = (await call({ method: 'GET', url: `/api/v1/contracts/${contract.id}`, token: client.token })).json()
  t.equal(read.price, 90_000, 'the agreed price binds, not the offer’s 80,000')
  t.equal(read.boundTermsVersion, version.version)
})
