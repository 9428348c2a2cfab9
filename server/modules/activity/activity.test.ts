import { sql } from 'drizzle-orm'
import t from 'tap'
import { build } from '../../../test/helper.js'
import { upload, workroomWithBidders, workroomWithHistory } from '../../../test/fixtures/workroom.js'
import { createContract } from '../../../test/fixtures/contract.js'
import { entryHash } from './activity.chain.js'
import { createActivityRepository } from './activity.repository.js'

t.setTimeout(60_000)

async function scenario(t: Parameters<typeof build>[0]) {
  const test = await build(t)
  return { test, ...(await workroomWithHistory(test)) }
}

t.test('the log: the client reads it all, a freelancer the shared entries and their own', async (t) => {
  const { test, workroomId, client, a, b, bFile } = await scenario(t)
  const { call } = test
  const all = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/activity?limit=100`,
    token: client.token,
  })
  t.equal(all.statusCode, 200)
  t.equal(all.json().items.length, 6)
  t.same(
    all.json().items.map((e: { seq: number }) => e.seq),
    [1, 2, 3, 4, 5, 6],
    'in order',
  )

  const asA = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/activity?limit=100`,
    token: a.user.token,
  })
  const aTypes = asA
    .json()
    .items.map((e: { type: string; scopeFreelancerId: string | null }) => [e.type, e.scopeFreelancerId])
  t.same(aTypes, [
    ['message.posted', a.user.id],
    ['message.posted', a.user.id],
    ['file.uploaded', a.user.id],
    ['file.uploaded', null],
  ])
  t.notMatch(asA.body, b.user.id, "no entry of B's shows to A")
  t.notMatch(asA.body, b.threadId)
  t.notMatch(asA.body, bFile.id)
  t.notMatch(asA.body, 'b-portfolio')

  const page1 = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/activity?limit=2`,
    token: a.user.token,
  })
  const page2 = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/activity?limit=2&cursor=${page1.json().nextCursor}`,
    token: a.user.token,
  })
  t.same(
    [...page1.json().items, ...page2.json().items].map((e: { id: string }) => e.id),
    asA.json().items.map((e: { id: string }) => e.id),
    'pages by cursor',
  )
  t.equal(page2.json().nextCursor, null)

  const stranger = await test.register('Stranger')
  for (const suffix of ['activity', 'activity/verify']) {
    const response = await call({
      method: 'GET',
      url: `/api/v1/workrooms/${workroomId}/${suffix}`,
      token: stranger.token,
    })
    t.equal(response.statusCode, 404, `a stranger gets 404 from ${suffix}`)
    t.equal(
      (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/${suffix}` })).statusCode,
      401,
      `anonymous gets 401 from ${suffix}`,
    )
  }
})

t.test('verify finds an entry changed, re-hashed or removed directly in the database', async (t) => {
  const { test, workroomId, client, a } = await scenario(t)
  const { call, app } = test
  const verify = async (token = client.token) =>
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity/verify`, token })).json()
  t.same(await verify(), { ok: true, entries: 6, firstBrokenSeq: null })
  const asBidder = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/activity/verify`,
    token: a.user.token,
  })
  t.equal(asBidder.statusCode, 404, 'a bidder without a contract learns nothing, not even the count: 404')
  t.equal(asBidder.json().code, 'workrooms.not_found', 'as for a missing workroom')

  await app.db.execute(
    sql`update activity_entries set data = jsonb_set(data, '{attachments}', '5') where workroom_id = ${workroomId} and seq = 3`,
  )
  t.same(await verify(), { ok: false, entries: 6, firstBrokenSeq: 3 }, 'an edited entry is named')

  // Someone who also recomputes that entry's own hash only moves the break to the next entry.
  const entries = await createActivityRepository(app.db).all(workroomId)
  const third = entries[2]!
  const { workroomId: w, seq, actorId, type, scopeFreelancerId, data, createdAt } = third
  const forged = entryHash(third.prevHash, { workroomId: w, seq, actorId, type, scopeFreelancerId, data, createdAt })
  await app.db.execute(sql`update activity_entries set hash = ${forged} where workroom_id = ${workroomId} and seq = 3`)
  t.same(
    await verify(),
    { ok: false, entries: 6, firstBrokenSeq: 4 },
    'a re-hashed entry breaks the link to the next one',
  )

  await app.db.execute(
    sql`update activity_entries set hash = ${entries[2]!.hash}, data = jsonb_set(data, '{attachments}', '0') where workroom_id = ${workroomId} and seq = 3`,
  )
  t.same(await verify(), { ok: true, entries: 6, firstBrokenSeq: null }, 'restored, the chain holds again')
  await app.db.execute(sql`delete from activity_entries where workroom_id = ${workroomId} and seq = 5`)
  t.same(await verify(), { ok: false, entries: 5, firstBrokenSeq: 5 }, 'a removed entry is found')
})

t.test('the freelancer of a contract checks the chain of its workroom', async (t) => {
  const { app, clock, call, register } = await build(t)
  const [client, freelancer] = [await register('Client'), await register('Freelancer')]
  const { workroomId } = await createContract(app, clock, { clientId: client.id, freelancerId: freelancer.id })
  for (const user of [client, freelancer]) {
    const response = await call({
      method: 'GET',
      url: `/api/v1/workrooms/${workroomId}/activity/verify`,
      token: user.token,
    })
    t.equal(response.statusCode, 200, `${user.name} may verify`)
    t.equal(response.json().ok, true)
  }
})

t.test('a workroom named in capitals in a URL is the same workroom, and its log stays whole', async (t) => {
  const test = await build(t)
  const room = await workroomWithBidders(test)
  const upper = room.workroomId.toUpperCase()
  const uploaded = await upload(
    test,
    room.client,
    upper,
    { name: 'brief.txt', content: 'the brief' },
    { scope: 'workroom' },
  )
  t.equal(uploaded.statusCode, 201, `the upload is taken: ${uploaded.body}`)
  const verify = await test.call({
    method: 'GET',
    url: `/api/v1/workrooms/${room.workroomId}/activity/verify`,
    token: room.client.token,
  })
  t.equal(verify.json().ok, true, 'the entry it logged verifies')
})
