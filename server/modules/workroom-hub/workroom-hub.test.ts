import t from 'tap'
import { build } from '../../../test/helper.js'
import { hire, invite, postJob, propose } from '../../../test/marketplace.js'

t.setTimeout(60_000)

t.test('the workroom hub: everything for the client, their own part for each freelancer', async (t) => {
  const { call, register } = await build(t)
  const [client, alice, bob, invitee, stranger] = await Promise.all([
    register('Client'),
    register('Alice'),
    register('Bob'),
    register('Invitee'),
    register('Stranger'),
  ])
  const job = await postJob(call, client.token)
  const a = await propose(call, alice.token, job.id, { coverLetter: 'Alice', bidAmount: 80_000, estimatedDays: 10 })
  const b = await propose(call, bob.token, job.id, { coverLetter: 'Bob', bidAmount: 60_000, estimatedDays: 10 })
  await invite(call, client.token, job.id, invitee.id)
  const contract = await hire(call, client.token, a.id)
  const view = async (token: string) => {
    const response = await call({ method: 'GET', url: `/api/v1/workrooms/${job.workroomId}`, token })
    return { status: response.statusCode, body: response.json() }
  }

  const asClient = await view(client.token)
  t.equal(asClient.body.role, 'client')
  t.equal(asClient.body.job.id, job.id)
  t.equal(asClient.body.threadId, null)
  t.same(asClient.body.proposals.map((p: { id: string }) => p.id).sort(), [a.id, b.id].sort())
  t.equal(asClient.body.proposalCount, 2)
  t.same(
    asClient.body.contracts.map((c: { id: string }) => c.id),
    [contract.id],
  )
  t.same(
    asClient.body.invites.map((i: { freelancerId: string }) => i.freelancerId),
    [invitee.id],
  )
  t.notOk('coverLetter' in asClient.body.proposals[0], 'the hub lists summaries')

  const asAlice = await view(alice.token)
  t.equal(asAlice.body.role, 'freelancer')
  t.equal(asAlice.body.threadId, a.threadId)
  t.same(
    asAlice.body.proposals.map((p: { id: string }) => p.id),
    [a.id],
  )
  t.same(
    asAlice.body.contracts.map((c: { id: string }) => c.id),
    [contract.id],
  )
  t.same(asAlice.body.invites, [])

  const asBob = await view(bob.token)
  t.equal(asBob.body.threadId, b.threadId)
  t.same(
    asBob.body.proposals.map((p: { id: string }) => p.id),
    [b.id],
  )
  t.same(asBob.body.contracts, [], 'another bidder does not see the contract')

  const asInvitee = await view(invitee.token)
  t.equal(asInvitee.status, 200, 'an invited freelancer is a member')
  t.same(asInvitee.body.proposals, [])
  t.same(
    asInvitee.body.invites.map((i: { freelancerId: string }) => i.freelancerId),
    [invitee.id],
  )

  t.equal((await view(stranger.token)).status, 404)
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/workrooms/${job.id}`, token: client.token })).statusCode,
    404,
    'a job id is not a workroom id',
  )
})
