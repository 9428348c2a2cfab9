// Hiring asks people to act: an invite, a shortlisted or declined proposal, an offer, its
// acceptance and a terms version to accept each notify the other party (never the one who
// acted), in words with a link to the page where they act; a refused step notifies nobody.
import t from 'tap'
import { build } from './helper.js'
import { fixedJob, hire, invite, postJob, propose } from './marketplace.js'
import { watchInboxes } from './notices.js'

t.setTimeout(120_000)

t.test('hiring steps notify the other party', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const client = await ctx.register('Cleo')
  const fred = await ctx.register('Fred')
  const dora = await ctx.register('Dora')
  const inbox = watchInboxes(t, ctx)
  await inbox.settle(client, fred, dora)

  const job = await postJob(call, client.token, fixedJob)

  // Invite: the freelancer, with the job post to propose on.
  await invite(call, client.token, job.id, fred.id)
  const invited = await inbox.news(fred)
  t.match(invited, {
    unread: 1,
    items: [
      {
        type: 'invite.received',
        title: 'Cleo invited you to propose on “Build a landing page”',
        link: `/jobs/${job.id}`,
        subject: { kind: 'job', id: job.id },
        readAt: null,
      },
    ],
  })
  t.equal(invited.items.length, 1)
  await inbox.nothingFor(client, 'she invited')
  const selfInvite = await call({
    method: 'POST',
    url: `/api/v1/jobs/${job.id}/invites`,
    token: client.token,
    payload: { freelancerId: client.id },
  })
  t.equal(selfInvite.statusCode, 400, 'inviting oneself is refused')
  for (const user of [client, fred, dora]) await inbox.nothingFor(user, 'a refused invite')

  // Proposals: shortlisted and declined, each told to its freelancer.
  const fredsProposal = await propose(call, fred.token, job.id)
  const dorasProposal = await propose(call, dora.token, job.id)
  await inbox.settle(client, fred, dora)
  const fredShortlists = await call({
    method: 'POST',
    url: `/api/v1/proposals/${fredsProposal.id}/shortlist`,
    token: fred.token,
  })
  t.equal(fredShortlists.statusCode, 403, 'a freelancer cannot shortlist')
  for (const user of [client, fred, dora]) await inbox.nothingFor(user, 'a refused shortlist')

  t.equal(
    (await call({ method: 'POST', url: `/api/v1/proposals/${fredsProposal.id}/shortlist`, token: client.token }))
      .statusCode,
    200,
  )
  t.match(await inbox.news(fred), {
    unread: 2,
    items: [
      {
        type: 'proposal.shortlisted',
        title: 'Cleo shortlisted your proposal for “Build a landing page”',
        link: `/workrooms/${job.workroomId}/proposals`,
        subject: { kind: 'proposal', id: fredsProposal.id },
        workroomId: job.workroomId,
      },
    ],
  })
  await inbox.nothingFor(dora, 'another bidder was shortlisted')

  t.equal(
    (await call({ method: 'POST', url: `/api/v1/proposals/${dorasProposal.id}/decline`, token: client.token }))
      .statusCode,
    200,
  )
  const declined = await inbox.news(dora)
  t.match(declined, {
    unread: 1,
    items: [{ type: 'proposal.declined', title: 'Cleo declined your proposal for “Build a landing page”' }],
  })
  t.equal(declined.items.length, 1)
  t.equal(
    (await call({ method: 'POST', url: `/api/v1/proposals/${dorasProposal.id}/decline`, token: client.token }))
      .statusCode,
    409,
    'declining twice is refused',
  )
  for (const user of [client, fred, dora]) await inbox.nothingFor(user, 'a refused decline')

  // The offer goes to the freelancer; its acceptance to the client.
  const contract = await hire(call, client.token, fredsProposal.id)
  const offered = await inbox.news(fred)
  t.match(offered, {
    unread: 3,
    items: [
      {
        type: 'offer.received',
        title:
          /^Cleo offered you a contract for “Build a landing page” \(\$800\.00\): answer by \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/,
        link: `/contracts/${contract.id}`,
        subject: { kind: 'contract', id: contract.id },
        contractId: contract.id,
      },
    ],
  })
  t.equal(offered.items.length, 1)
  await inbox.nothingFor(client, 'she made the offer')

  t.equal(
    (await call({ method: 'POST', url: `/api/v1/contracts/${contract.id}/accept`, token: client.token })).statusCode,
    403,
  )
  for (const user of [client, fred]) await inbox.nothingFor(user, 'the client cannot accept her own offer')
  t.equal(
    (await call({ method: 'POST', url: `/api/v1/contracts/${contract.id}/accept`, token: fred.token })).statusCode,
    200,
  )
  t.match(await inbox.news(client), {
    unread: 1,
    items: [
      {
        type: 'offer.accepted',
        title: 'Fred accepted your offer for “Build a landing page”',
        link: `/contracts/${contract.id}`,
      },
    ],
  })
  await inbox.nothingFor(fred, 'he accepted')

  // A new terms version: the other party is asked to accept it.
  const versions = `/api/v1/contracts/${contract.id}/terms/versions`
  const proposed = await call({ method: 'POST', url: versions, token: fred.token })
  t.equal(proposed.statusCode, 201)
  const version = proposed.json()
  t.match(await inbox.news(client), {
    unread: 2,
    items: [
      {
        type: 'terms.to_accept',
        title: `Fred proposed terms version ${version.version} for “Build a landing page” ($800.00): review and accept`,
        link: `/contracts/${contract.id}`,
        data: { version: version.version, hash: version.hash },
      },
    ],
  })
  await inbox.nothingFor(fred, 'he proposed the version')
  const wrongHash = await call({
    method: 'POST',
    url: `${versions}/${version.version}/accept`,
    token: client.token,
    payload: { hash: '0'.repeat(64) },
  })
  t.equal(wrongHash.statusCode, 409, 'accepting with a stale hash is refused')
  for (const user of [client, fred]) await inbox.nothingFor(user, 'a refused acceptance')
})
