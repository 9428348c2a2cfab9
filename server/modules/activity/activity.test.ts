import { sql } from 'drizzle-orm'
import t from 'tap'
import { build } from '../../../test/helper.js'
import { upload, workroomWithBidders } from '../../../test/fixtures/workroom.js'
import { unzip } from '../../../test/fixtures/zip.js'
import { entryHash } from './activity.chain.js'
import { createActivityRepository } from './activity.repository.js'

t.setTimeout(60_000)

async function scenario(t: Parameters<typeof build>[0]) {
  const test = await build(t)
  const { call } = test
  const room = await workroomWithBidders(test)
  const [a, b] = room.bidders as [(typeof room.bidders)[0], (typeof room.bidders)[0]]
  const post = (token: string, threadId: string, body: string) =>
    call({ method: 'POST', url: `/api/v1/threads/${threadId}/messages`, token, payload: { body } })
  await post(room.client.token, a.threadId, 'Welcome A: the budget is 800')
  await post(a.user.token, a.threadId, 'Thanks, A accepts')
  await post(room.client.token, b.threadId, 'Welcome B: private note for B only')
  const aFile = (await upload(test, a.user, room.workroomId, { name: 'a-portfolio.txt', content: 'A portfolio bytes' })).json()
  const bFile = (await upload(test, b.user, room.workroomId, { name: 'b-portfolio.txt', content: 'B portfolio bytes' })).json()
  const shared = (await upload(test, room.client, room.workroomId, { name: 'brief.txt', content: 'shared brief' }, { scope: 'workroom' })).json()
  return { test, ...room, a, b, aFile, bFile, shared }
}

t.test('the log: the client reads it all, a freelancer the shared entries and their own', async (t) => {
  const { test, workroomId, client, a, b, bFile } = await scenario(t)
  const { call } = test
  const all = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity?limit=100`, token: client.token })
  t.equal(all.statusCode, 200)
  t.equal(all.json().items.length, 6)
  t.same(all.json().items.map((e: { seq: number }) => e.seq), [1, 2, 3, 4, 5, 6], 'in order')

  const asA = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity?limit=100`, token: a.user.token })
  const aTypes = asA.json().items.map((e: { type: string; scopeFreelancerId: string | null }) => [e.type, e.scopeFreelancerId])
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

  const page1 = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity?limit=2`, token: a.user.token })
  const page2 = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity?limit=2&cursor=${page1.json().nextCursor}`, token: a.user.token })
  t.same([...page1.json().items, ...page2.json().items].map((e: { id: string }) => e.id), asA.json().items.map((e: { id: string }) => e.id), 'pages by cursor')
  t.equal(page2.json().nextCursor, null)

  const stranger = await test.register('Stranger')
  for (const suffix of ['activity', 'activity/verify', 'export']) {
    const response = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/${suffix}`, token: stranger.token })
    t.equal(response.statusCode, 404, `a stranger gets 404 from ${suffix}`)
    t.equal((await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/${suffix}` })).statusCode, 401, `anonymous gets 401 from ${suffix}`)
  }
})

t.test('verify finds an entry changed, re-hashed or removed directly in the database', async (t) => {
  const { test, workroomId, client, a } = await scenario(t)
  const { call, app } = test
  const verify = async (token = client.token) => (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity/verify`, token })).json()
  t.same(await verify(), { ok: true, entries: 6, firstBrokenSeq: null })
  t.same(await verify(a.user.token), { ok: true, entries: 6, firstBrokenSeq: null }, 'both parties can check the chain')

  await app.db.execute(sql`update activity_entries set data = jsonb_set(data, '{attachments}', '5') where workroom_id = ${workroomId} and seq = 3`)
  t.same(await verify(), { ok: false, entries: 6, firstBrokenSeq: 3 }, 'an edited entry is named')

  // Someone who also recomputes that entry's own hash only moves the break to the next entry.
  const entries = await createActivityRepository(app.db).all(workroomId)
  const third = entries[2]!
  const { workroomId: w, seq, actorId, type, scopeFreelancerId, data, createdAt } = third
  const forged = entryHash(third.prevHash, { workroomId: w, seq, actorId, type, scopeFreelancerId, data, createdAt })
  await app.db.execute(sql`update activity_entries set hash = ${forged} where workroom_id = ${workroomId} and seq = 3`)
  t.same(await verify(), { ok: false, entries: 6, firstBrokenSeq: 4 }, 'a re-hashed entry breaks the link to the next one')

  await app.db.execute(sql`update activity_entries set hash = ${entries[2]!.hash}, data = jsonb_set(data, '{attachments}', '0') where workroom_id = ${workroomId} and seq = 3`)
  t.same(await verify(), { ok: true, entries: 6, firstBrokenSeq: null }, 'restored, the chain holds again')
  await app.db.execute(sql`delete from activity_entries where workroom_id = ${workroomId} and seq = 5`)
  t.same(await verify(), { ok: false, entries: 5, firstBrokenSeq: 5 }, 'a removed entry is found')
})

t.test('export: a zip of the caller’s view only', async (t) => {
  const { test, workroomId, client, a, b, aFile, bFile, shared } = await scenario(t)
  const { call } = test
  const download = async (token: string) => {
    const response = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/export`, token })
    t.equal(response.statusCode, 200)
    t.equal(response.headers['content-type'], 'application/zip')
    t.match(response.headers['content-disposition'], /^attachment; filename=/)
    return unzip(response.rawPayload)
  }

  const full = await download(client.token)
  const manifest = JSON.parse(full.get('workroom.json')!.toString())
  t.equal(manifest.viewer.role, 'client')
  t.equal(manifest.workroom.id, workroomId)
  t.same(manifest.threads.map((th: { id: string }) => th.id).sort(), [a.threadId, b.threadId].sort())
  t.equal(manifest.files.length, 3)
  t.same(manifest.activity.verification, { ok: true, entries: 6, firstBrokenSeq: null })
  t.equal(manifest.members.length, 3)
  t.equal(full.get(`files/${bFile.id}/b-portfolio.txt`)?.toString(), 'B portfolio bytes')
  const bThread = JSON.parse(full.get(`threads/${b.threadId}.json`)!.toString())
  t.same(bThread.messages.map((m: { body: string }) => m.body), ['Welcome B: private note for B only'])
  t.equal(JSON.parse(full.get('activity.json')!.toString()).entries.length, 6)

  const mine = await download(a.user.token)
  t.same([...mine.keys()].sort(), ['activity.json', `files/${aFile.id}/a-portfolio.txt`, `files/${shared.id}/brief.txt`, `threads/${a.threadId}.json`, 'workroom.json'].sort())
  const aManifest = JSON.parse(mine.get('workroom.json')!.toString())
  t.equal(aManifest.viewer.role, 'freelancer')
  t.same(aManifest.members.map((m: { userId: string }) => m.userId).sort(), [client.id, a.user.id].sort(), 'A sees the client and themselves')
  const aThread = JSON.parse(mine.get(`threads/${a.threadId}.json`)!.toString())
  t.same(aThread.messages.map((m: { body: string }) => m.body), ['Welcome A: the budget is 800', 'Thanks, A accepts'], 'all messages, oldest first')
  t.equal(JSON.parse(mine.get('activity.json')!.toString()).entries.length, 4)
  const everything = [...mine.values()].map((content) => content.toString('latin1')).join('\n')
  for (const secret of [b.user.id, b.threadId, bFile.id, 'private note for B', 'B portfolio bytes', b.user.email]) {
    t.notMatch(everything, secret, `A's export holds nothing of B's (${secret.slice(0, 20)})`)
  }
})

t.test('export after the contract ended: both parties still get it, job and contract included', async (t) => {
  const test = await build(t)
  const { startedContract, endContract } = await import('../../../test/fixtures/ended-contract.js')
  const client = await test.register('Client')
  const freelancer = await test.register('Freelancer')
  const { contractId, jobId, workroomId } = await startedContract(test, { client, freelancer })
  await endContract(test, contractId, client)
  for (const user of [client, freelancer]) {
    const response = await test.call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/export`, token: user.token })
    t.equal(response.statusCode, 200)
    const manifest = JSON.parse((await unzip(response.rawPayload)).get('workroom.json')!.toString())
    t.equal(manifest.job?.id, jobId)
    t.match(manifest.contracts, [{ id: contractId, state: 'ended' }])
    t.equal(manifest.proposals.length, 1)
    t.ok(manifest.activity.verification.ok)
  }
})
