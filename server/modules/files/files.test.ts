import { readdir } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { build, type TestApp } from '../../../test/helper.js'
import { multipart, upload, workroomWithBidders, zeros } from '../../../test/fixtures/workroom.js'

t.setTimeout(120_000)

const MiB = 1024 * 1024
const pdf = Buffer.concat([
  Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1'),
  Buffer.alloc(200, 0x20),
])
const png = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f2a5f90000000049454e44ae426082',
  'hex',
)
// The start of a Windows executable: "MZ", the DOS stub, and a PE header further on.
const exe = Buffer.concat([
  Buffer.from('4d5a90000300000004000000ffff0000b800000000000000400000000000000000000000', 'hex'),
  Buffer.alloc(512, 0),
])

/** Every file under the store's directory, relative to it (temp files and sidecars included). */
async function storedFiles(test: TestApp): Promise<string[]> {
  const root = path.join(test.dataDir, 'files')
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)))
}

t.test('upload, versions, visibility per thread, download headers, delete', async (t) => {
  const test = await build(t)
  const { call } = test
  const { workroomId, client, bidders } = await workroomWithBidders(test)
  const [a, b] = bidders as [(typeof bidders)[0], (typeof bidders)[0]]
  const stranger = await test.register('Stranger')

  const first = await upload(test, a.user, workroomId, {
    name: 'notes.txt',
    content: 'first draft\n',
    contentType: 'image/png',
  })
  t.equal(first.statusCode, 201, first.body)
  t.match(first.json(), {
    name: 'notes.txt',
    version: 1,
    scope: 'thread',
    threadId: a.threadId,
    contentType: 'text/plain',
    size: 12,
    uploaderId: a.user.id,
  })
  const second = await upload(test, a.user, workroomId, { name: 'notes.txt', content: 'second draft\n' })
  t.equal(second.json().version, 2, 'the same name in the same thread is the next version')

  const forB = await upload(test, client, workroomId, { name: 'notes.txt', content: pdf }, { threadId: b.threadId })
  t.equal(forB.statusCode, 201, forB.body)
  t.match(
    forB.json(),
    { version: 1, threadId: b.threadId, contentType: 'application/pdf' },
    'versions do not leak across threads; type from the bytes',
  )
  const shared = await upload(test, client, workroomId, { name: 'brief.png', content: png }, { scope: 'workroom' })
  t.match(shared.json(), { scope: 'workroom', threadId: null, contentType: 'image/png' })

  const unscoped = await upload(test, client, workroomId, { name: 'x.txt', content: 'x' })
  t.equal(unscoped.statusCode, 400)
  t.equal(unscoped.json().code, 'files.scope_required', 'the client says who may see a file')
  const intoOther = await upload(test, a.user, workroomId, { name: 'x.txt', content: 'x' }, { threadId: b.threadId })
  t.equal(intoOther.statusCode, 404, "a freelancer cannot upload into another bidder's thread")
  const wide = await upload(test, a.user, workroomId, { name: 'x.txt', content: 'x' }, { scope: 'workroom' })
  t.equal(wide.statusCode, 403)
  t.equal(wide.json().code, 'files.scope_forbidden')
  const unknownField = await upload(test, a.user, workroomId, { name: 'x.txt', content: 'x' }, { owner: 'me' })
  t.equal(unknownField.statusCode, 400)
  t.equal(unknownField.json().code, 'files.bad_field')
  const badThread = await upload(test, client, workroomId, { name: 'x.txt', content: 'x' }, { threadId: 'not-a-uuid' })
  t.equal(badThread.statusCode, 404)
  const byStranger = await upload(test, stranger, workroomId, { name: 'x.txt', content: 'x' })
  t.equal(byStranger.statusCode, 404)
  const anonymous = await call({
    method: 'POST',
    url: `/api/v1/workrooms/${workroomId}/files`,
    ...multipart({}, { name: 'x.txt', content: 'x' }),
  })
  t.equal(anonymous.statusCode, 401)
  const json = await call({
    method: 'POST',
    url: `/api/v1/workrooms/${workroomId}/files`,
    token: a.user.token,
    payload: { name: 'x' },
  })
  t.equal(json.statusCode, 415)
  t.equal(json.json().code, 'files.multipart_required')
  const empty = await call({
    method: 'POST',
    url: `/api/v1/workrooms/${workroomId}/files`,
    token: a.user.token,
    ...multipart({}, null),
  })
  t.equal(empty.statusCode, 400)
  t.equal(empty.json().code, 'files.no_file')

  const names = (items: Array<{ id: string }>) => items.map((f) => f.id).sort()
  const asClient = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/files`, token: client.token })
  t.same(
    names(asClient.json().items),
    [first.json().id, second.json().id, forB.json().id, shared.json().id].sort(),
    'the client sees every file',
  )
  const asA = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/files`, token: a.user.token })
  t.same(
    names(asA.json().items),
    [first.json().id, second.json().id, shared.json().id].sort(),
    "A sees their thread's files and shared ones",
  )
  t.notMatch(asA.body, forB.json().id)
  const asB = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/files?limit=1`, token: b.user.token })
  t.equal(asB.json().items.length, 1)
  const asB2 = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/files?limit=1&cursor=${asB.json().nextCursor}`,
    token: b.user.token,
  })
  t.same(
    names([...asB.json().items, ...asB2.json().items]),
    [forB.json().id, shared.json().id].sort(),
    'pages with a cursor',
  )
  t.equal(asB2.json().nextCursor, null)
  const versions = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/files?name=notes.txt&threadId=${a.threadId}`,
    token: client.token,
  })
  t.same(
    versions.json().items.map((f: { version: number }) => f.version),
    [2, 1],
    'versions of one name, newest first',
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/files`, token: stranger.token })).statusCode,
    404,
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/files?cursor=nope`, token: client.token }))
      .statusCode,
    400,
  )

  const download = await call({ method: 'GET', url: `/api/v1/files/${first.json().id}/content`, token: client.token })
  t.equal(download.statusCode, 200)
  t.equal(download.body, 'first draft\n')
  t.equal(download.headers['content-type'], 'text/plain')
  t.equal(download.headers['x-content-type-options'], 'nosniff')
  t.equal(download.headers['content-disposition'], 'attachment; filename=notes.txt')
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/files/${forB.json().id}/content`, token: a.user.token })).statusCode,
    404,
    "A cannot download B's file",
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/files/${first.json().id}/content`, token: stranger.token })).statusCode,
    404,
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/files/${shared.json().id}/content`, token: b.user.token })).statusCode,
    200,
  )

  const accented = await upload(test, a.user, workroomId, { name: 'Résumé – final.txt', content: 'cv' })
  t.equal(accented.json().name, 'Résumé – final.txt')
  const accentedDownload = await call({
    method: 'GET',
    url: `/api/v1/files/${accented.json().id}/content`,
    token: a.user.token,
  })
  t.match(
    accentedDownload.headers['content-disposition'],
    /^attachment; filename="R\?sum\? \? final\.txt"; filename\*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20final\.txt$/,
  )

  t.equal(
    (await call({ method: 'DELETE', url: `/api/v1/files/${shared.json().id}`, token: a.user.token })).statusCode,
    403,
    'a freelancer cannot delete the client’s file',
  )
  t.equal(
    (await call({ method: 'DELETE', url: `/api/v1/files/${forB.json().id}`, token: a.user.token })).statusCode,
    404,
  )
  const removed = await call({ method: 'DELETE', url: `/api/v1/files/${first.json().id}`, token: a.user.token })
  t.equal(removed.statusCode, 204)
  t.equal(
    (await call({ method: 'DELETE', url: `/api/v1/files/${first.json().id}`, token: a.user.token })).statusCode,
    404,
    'deleted once',
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/files/${first.json().id}/content`, token: client.token })).statusCode,
    404,
  )
  t.equal(
    (await call({ method: 'DELETE', url: `/api/v1/files/${forB.json().id}`, token: client.token })).statusCode,
    204,
    'the client may delete any file',
  )
  const third = await upload(test, a.user, workroomId, { name: 'notes.txt', content: 'third\n' })
  t.equal(third.json().version, 3, 'version numbers are never reused')

  const activity = await call({
    method: 'GET',
    url: `/api/v1/workrooms/${workroomId}/activity?limit=100`,
    token: client.token,
  })
  const types = activity.json().items.map((e: { type: string }) => e.type)
  t.equal(types.filter((type: string) => type === 'file.uploaded').length, 6)
  t.equal(
    types.filter((type: string) => type === 'file.deleted').length,
    2,
    'the deletions are logged; the uploads stay in the log',
  )
  t.notOk(
    (await storedFiles(test)).some((f) => f.includes(first.json().id)),
    'a deleted file’s bytes are gone',
  )
})

t.test('bad uploads: too large, disguised executables, path names, the quota', async (t) => {
  const test = await build(t, { env: { WORKROOM_QUOTA_BYTES: String(120 * MiB) } })
  const { call, app } = test
  const { workroomId, client, bidders } = await workroomWithBidders(test, 1)
  const a = bidders[0]!

  const huge = await upload(test, a.user, workroomId, { name: 'huge.bin', content: zeros(100 * MiB + 1) })
  t.equal(huge.statusCode, 413)
  t.equal(huge.json().code, 'files.too_large')
  const listed = await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/files`, token: client.token })
  t.same(listed.json().items, [], 'no row')
  t.same(await app.storage.list(''), [], 'no object')
  t.same(await storedFiles(test), [], 'no temp file either')

  const disguised = await upload(test, a.user, workroomId, {
    name: 'photo.png',
    content: exe,
    contentType: 'image/png',
  })
  t.equal(disguised.statusCode, 201, 'an executable is accepted, for what it is')
  t.match(disguised.json(), { name: 'photo.png', contentType: 'application/x-msdownload' })
  const served = await call({ method: 'GET', url: `/api/v1/files/${disguised.json().id}/content`, token: client.token })
  t.equal(served.headers['content-type'], 'application/x-msdownload', 'served as what it is, not as an image')
  t.match(served.headers['content-disposition'], /^attachment;/)
  t.equal(served.headers['x-content-type-options'], 'nosniff')
  t.equal(served.rawPayload.length, exe.length)

  const html = await upload(test, a.user, workroomId, {
    name: 'kitten.png',
    content: '<html><script>alert(1)</script></html>',
    contentType: 'image/png',
  })
  t.equal(html.json().contentType, 'text/plain', 'markup claiming to be an image is stored as plain text')
  const realPng = await upload(test, a.user, workroomId, { name: 'page.html', content: png, contentType: 'text/html' })
  t.equal(realPng.json().contentType, 'image/png', 'the name and the header are ignored')

  const traversal = await upload(test, a.user, workroomId, { name: '../../etc/passwd', content: 'root:x:0:0\n' })
  t.equal(traversal.statusCode, 201)
  t.equal(traversal.json().name, 'passwd', 'only the last path segment is kept, as metadata')
  const keys = (await app.storage.list('')).map((f) => f.key)
  t.ok(keys.includes(`workrooms/${workroomId}/files/${traversal.json().id}`), 'stored under a key the server made')
  t.ok(
    keys.every((key) => /^workrooms\/[0-9a-f-]{36}\/files\/[0-9a-f-]{36}$/.test(key)),
    'every key is a server key',
  )
  t.ok(
    (await storedFiles(test)).every((f) => f.startsWith(`workrooms${path.sep}`)),
    'nothing landed outside the workroom folders',
  )
  const sneaky = await upload(test, a.user, workroomId, { name: '..\\..\\boot.ini\u202egpj.exe', content: 'x' })
  t.equal(sneaky.json().name, 'boot.inigpj.exe', 'backslash paths and direction overrides are dropped')
  const dotted = await upload(test, a.user, workroomId, { name: '...', content: 'x' })
  t.equal(dotted.json().name, 'file')

  // 120 MiB quota: 70 MiB fit, 60 MiB more do not (and leave nothing), 50 MiB do.
  const before = (await app.storage.list('')).length
  const big = await upload(
    test,
    client,
    workroomId,
    { name: 'big.bin', content: zeros(70 * MiB) },
    { threadId: a.threadId },
  )
  t.equal(big.statusCode, 201, big.body)
  const over = await upload(test, a.user, workroomId, { name: 'over.bin', content: zeros(60 * MiB) })
  t.equal(over.statusCode, 413)
  t.equal(over.json().code, 'files.quota_exceeded')
  t.equal((await app.storage.list('')).length, before + 1, 'the refused upload left no object')
  t.equal(
    (
      await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/files?name=over.bin`, token: client.token })
    ).json().items.length,
    0,
  )
  t.equal(
    (await call({ method: 'DELETE', url: `/api/v1/files/${big.json().id}`, token: client.token })).statusCode,
    204,
  )
  const fits = await upload(test, a.user, workroomId, { name: 'over.bin', content: zeros(60 * MiB) })
  t.equal(fits.statusCode, 201, 'deleting frees the quota')
})

t.test('an upload cut off half-way leaves nothing behind', async (t) => {
  const test = await build(t)
  const { app } = test
  const { workroomId, bidders } = await workroomWithBidders(test, 1)
  const a = bidders[0]!
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as import('node:net').AddressInfo
  const { payload, headers } = multipart({}, { name: 'partial.bin', content: zeros(50 * MiB) })
  const { request } = await import('node:http')
  const req = request({
    port,
    host: '127.0.0.1',
    method: 'POST',
    path: `/api/v1/workrooms/${workroomId}/files`,
    headers: { ...headers, authorization: `Bearer ${a.user.token}` },
  })
  req.on('error', () => {})
  let sent = 0
  for await (const chunk of payload) {
    if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve))
    sent += (chunk as Buffer).length
    if (sent > 8 * MiB) break
  }
  // Wait until the server holds part of the upload in the store's temp file, then cut the connection.
  const deadline = Date.now() + 5000
  while ((await storedFiles(test)).length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok((await storedFiles(test)).length > 0, 'the upload was being written')
  req.destroy()
  while ((await storedFiles(test)).length > 0 && Date.now() < deadline + 5000)
    await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(await storedFiles(test), [], 'the partial file is removed')
  const listed = await test.call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/files`, token: a.user.token })
  t.same(listed.json().items, [], 'and no row was written')
})

t.test('malformed multipart bodies answer 4xx and store nothing', async (t) => {
  const test = await build(t)
  const { workroomId, bidders } = await workroomWithBidders(test, 1)
  const a = bidders[0]!
  const part = '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
  const cases: Array<[string, string]> = [
    ['multipart/form-data', 'no boundary at all'],
    ['multipart/form-data; boundary=xyz', 'no parts'],
    ['multipart/form-data; boundary=xyz', `${part}ends mid-part`],
    ['multipart/form-data; boundary=xyz', `${part}${'y'.repeat(10_000)}`],
    [
      'multipart/form-data; boundary=xyz',
      '--xyz\r\nContent-Disposition: form-data; name="__proto__"; filename="a.txt"\r\n\r\nx\r\n--xyz--\r\n',
    ],
    [
      'multipart/form-data; boundary=xyz',
      `${'--xyz\r\nContent-Disposition: form-data; name="scope"\r\n\r\nthread\r\n'.repeat(6)}--xyz--\r\n`,
    ],
  ]
  for (const [type, body] of cases) {
    const response = await test.call({
      method: 'POST',
      url: `/api/v1/workrooms/${workroomId}/files`,
      token: a.user.token,
      headers: { 'content-type': type },
      payload: body,
    })
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${body.slice(0, 30)}: ${response.statusCode}`)
    t.type(response.json().code, 'string')
  }
  t.same(await test.app.storage.list(''), [])
  t.same(await storedFiles(test), [])
})
