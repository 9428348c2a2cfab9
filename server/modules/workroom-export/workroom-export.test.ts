import t from 'tap'
import { build } from '../../../test/helper.js'
import { workroomWithHistory } from '../../../test/fixtures/workroom.js'
import { unzip } from '../../../test/fixtures/zip.js'

t.setTimeout(60_000)

t.test('export: a zip of the caller’s view only', async (t) => {
  const test = await build(t)
  const { workroomId, client, a, b, aFile, bFile, shared } = await workroomWithHistory(test)
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
  t.same(
    bThread.messages.map((m: { body: string }) => m.body),
    ['Welcome B: private note for B only'],
  )
  t.equal(JSON.parse(full.get('activity.json')!.toString()).entries.length, 6)

  const mine = await download(a.user.token)
  t.same(
    [...mine.keys()].sort(),
    [
      'activity.json',
      `files/${aFile.id}/a-portfolio.txt`,
      `files/${shared.id}/brief.txt`,
      `threads/${a.threadId}.json`,
      'workroom.json',
    ].sort(),
  )
  const aManifest = JSON.parse(mine.get('workroom.json')!.toString())
  t.equal(aManifest.viewer.role, 'freelancer')
  t.same(
    aManifest.members.map((m: { userId: string }) => m.userId).sort(),
    [client.id, a.user.id].sort(),
    'A sees the client and themselves',
  )
  const aThread = JSON.parse(mine.get(`threads/${a.threadId}.json`)!.toString())
  t.same(
    aThread.messages.map((m: { body: string }) => m.body),
    ['Welcome A: the budget is 800', 'Thanks, A accepts'],
    'all messages, oldest first',
  )
  t.equal(JSON.parse(mine.get('activity.json')!.toString()).entries.length, 4)
  const everything = [...mine.values()].map((content) => content.toString('latin1')).join('\n')
  for (const secret of [b.user.id, b.threadId, bFile.id, 'private note for B', 'B portfolio bytes', b.user.email]) {
    t.notMatch(everything, secret, `A's export holds nothing of B's (${secret.slice(0, 20)})`)
  }

  const stranger = await test.register('Stranger')
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/export`, token: stranger.token })).statusCode,
    404,
    'a stranger gets 404',
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/export` })).statusCode,
    401,
    'anonymous gets 401',
  )
})

t.test('export after the contract ended: both parties still get it, job and contract included', async (t) => {
  const test = await build(t)
  const { startedContract, endContract } = await import('../../../test/fixtures/ended-contract.js')
  const client = await test.register('Client')
  const freelancer = await test.register('Freelancer')
  const { contractId, jobId, workroomId } = await startedContract(test, { client, freelancer })
  await endContract(test, contractId, client)
  for (const user of [client, freelancer]) {
    const response = await test.call({
      method: 'GET',
      url: `/api/v1/workrooms/${workroomId}/export`,
      token: user.token,
    })
    t.equal(response.statusCode, 200)
    const manifest = JSON.parse((await unzip(response.rawPayload)).get('workroom.json')!.toString())
    t.equal(manifest.job?.id, jobId)
    t.match(manifest.contracts, [{ id: contractId, state: 'ended' }])
    t.equal(manifest.proposals.length, 1)
    t.ok(manifest.activity.verification.ok)
  }
})
