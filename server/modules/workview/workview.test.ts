import { randomBytes } from 'node:crypto'
import { asc, eq } from 'drizzle-orm'
import sharp from 'sharp'
import t from 'tap'
import { activityEntriesTable, screenshotsTable } from '../../../db/schema/index.js'
import { planCaptures } from '../../../test/fixtures/capture-plans.js'
import { activity, createHourlyContract, multipartForm } from '../../../test/fixtures/hourly-contract.js'
import { build } from '../../../test/helper.js'

t.setTimeout(120_000)

const png = (width = 1280, height = 720) =>
  sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .composite([
      {
        input: Buffer.from(
          `<svg width="${width}" height="${height}"><text x="40" y="120" font-size="80">Secret text</text></svg>`,
        ),
      },
    ])
    .png()
    .toBuffer()

t.test('upload, view, comment, blur, reject, delete', async (t) => {
  const harness = await build(t)
  const { app, call, clock, register } = harness
  clock.set('2026-11-24T12:00:00Z')
  const { contractId, workroomId, client, freelancer } = await createHourlyContract(harness)
  const stranger = await register('Stranger')
  const image = await png()

  const upload = (
    capturedAt: string,
    segmentStart = '2026-11-24T10:00:00Z',
    content = image,
    token = freelancer.token,
  ) => {
    const form = multipartForm(
      { segmentStart, capturedAt },
      { filename: 'shot.png', contentType: 'image/png', content },
    )
    return call({ method: 'POST', url: `/api/v1/contracts/${contractId}/screenshots`, token, ...form })
  }
  await call({
    method: 'PUT',
    url: `/api/v1/contracts/${contractId}/segments`,
    token: freelancer.token,
    payload: {
      segments: ['10:00', '10:10', '10:20'].map((hm) => ({
        start: `2026-11-24T${hm}:00Z`,
        activity: activity(),
        memo: 'API work',
      })),
    },
  })

  await planCaptures(harness, contractId, {
    '2026-11-24T10:00:00Z': ['2026-11-24T10:03:20Z', '2026-11-24T10:05:00Z', '2026-11-24T10:07:00Z'],
    '2026-11-24T10:10:00Z': ['2026-11-24T10:12:00Z'],
    '2026-11-24T10:20:00Z': ['2026-11-24T10:25:00Z'],
  })
  const created = await upload('2026-11-24T10:03:21Z')
  t.equal(created.statusCode, 201, created.body)
  const shot = created.json()
  t.match(shot, { state: 'active', contentType: 'image/png', width: 1280, height: 720, blurred: false })
  const again = await upload('2026-11-24T10:03:21Z')
  t.equal(again.statusCode, 200, 'a retried upload of the same capture is not doubled')
  t.equal(again.json().id, shot.id)
  t.equal((await upload('2026-11-24T10:03:21Z', '2026-11-24T10:00:00Z', image, client.token)).statusCode, 403)
  t.equal((await upload('2026-11-24T10:03:21Z', '2026-11-24T10:00:00Z', image, stranger.token)).statusCode, 404)
  t.equal(
    (await upload('2026-11-24T10:13:00Z', '2026-11-24T10:00:00Z')).json().code,
    'workview.captured_outside_segment',
  )
  t.equal((await upload('2026-11-24T10:03:00Z', '2026-11-24T10:01:00Z')).json().code, 'workview.invalid_segment')
  t.equal((await upload('2026-11-24T12:13:00Z', '2026-11-24T12:10:00Z')).json().code, 'workview.future_capture')
  const json = await call({
    method: 'POST',
    url: `/api/v1/contracts/${contractId}/screenshots`,
    token: freelancer.token,
    payload: { a: 1 },
  })
  t.equal(json.statusCode, 415)

  const thumb = await call({ method: 'GET', url: shot.thumbnailUrl, token: client.token })
  t.equal(thumb.statusCode, 200)
  t.equal(thumb.headers['content-type'], 'image/webp')
  const thumbMeta = await sharp(thumb.rawPayload).metadata()
  t.same([thumbMeta.format, thumbMeta.width, thumbMeta.height], ['webp', 320, 180], 'a 320 px WebP thumbnail')
  const full = await call({ method: 'GET', url: shot.imageUrl, token: freelancer.token })
  t.ok(full.rawPayload.equals(image), 'the image comes back byte for byte')
  for (const url of [shot.imageUrl, shot.thumbnailUrl, `/api/v1/screenshots/${shot.id}`]) {
    t.equal(
      (await call({ method: 'GET', url, token: stranger.token })).statusCode,
      404,
      `a stranger gets 404 for ${url}`,
    )
  }

  const comment = await call({
    method: 'POST',
    url: `/api/v1/screenshots/${shot.id}/comments`,
    token: client.token,
    payload: { body: 'Nice progress' },
  })
  t.equal(comment.statusCode, 201)
  clock.advance(1000)
  await call({
    method: 'POST',
    url: `/api/v1/screenshots/${shot.id}/comments`,
    token: freelancer.token,
    payload: { body: 'Thanks!' },
  })
  const detail = await call({ method: 'GET', url: `/api/v1/screenshots/${shot.id}`, token: freelancer.token })
  t.same(
    detail.json().comments.map((c: { body: string }) => c.body),
    ['Nice progress', 'Thanks!'],
  )

  t.equal(
    (await call({ method: 'POST', url: `/api/v1/screenshots/${shot.id}/blur`, token: client.token })).statusCode,
    403,
  )
  const blurred = await call({ method: 'POST', url: `/api/v1/screenshots/${shot.id}/blur`, token: freelancer.token })
  t.equal(blurred.statusCode, 200)
  t.equal(blurred.json().blurred, true)
  const afterBlur = await call({ method: 'GET', url: shot.imageUrl, token: client.token })
  t.notOk(afterBlur.rawPayload.equals(image), 'the stored image was replaced')
  const stats = async (bytes: Buffer) => (await sharp(bytes).stats()).channels[0]!.stdev
  t.ok((await stats(afterBlur.rawPayload)) < (await stats(image)), 'the text is blurred away')

  // A second and third segment, each with a screenshot: the client rejects one, the freelancer deletes the other.
  const second = (await upload('2026-11-24T10:12:00Z', '2026-11-24T10:10:00Z')).json()
  const third = (await upload('2026-11-24T10:25:00Z', '2026-11-24T10:20:00Z')).json()
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/screenshots/${second.id}/reject`,
        token: freelancer.token,
        payload: {},
      })
    ).statusCode,
    403,
  )
  const rejected = await call({
    method: 'POST',
    url: `/api/v1/screenshots/${second.id}/reject`,
    token: client.token,
    payload: { reason: 'Not our project' },
  })
  t.equal(rejected.statusCode, 200)
  t.equal(rejected.json().state, 'rejected')
  t.equal(
    (await call({ method: 'DELETE', url: `/api/v1/screenshots/${third.id}`, token: client.token })).statusCode,
    403,
  )
  t.equal(
    (await call({ method: 'DELETE', url: `/api/v1/screenshots/${third.id}`, token: freelancer.token })).statusCode,
    204,
  )
  t.equal(
    (await call({ method: 'GET', url: third.imageUrl, token: freelancer.token })).statusCode,
    404,
    'a deleted image is gone',
  )
  t.same((await app.storage.list(`workview/${contractId}/${third.id}/`)).length, 0, 'and its files too')

  const week = (
    await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/segments?week=2026-W48`, token: client.token })
  ).json()
  t.same(
    week.segments.map((s: { billableMinutes: number; notBillableReasons: string[]; protected: boolean }) => [
      s.billableMinutes,
      s.notBillableReasons,
      s.protected,
    ]),
    [
      [10, [], true],
      [0, ['screenshot_rejected'], false],
      [0, ['screenshot_deleted'], false],
    ],
  )
  t.match(week.totals, { billableMinutes: 10, excludedMinutes: 20, protectedMinutes: 10 })

  const types = await app.db
    .select({ type: activityEntriesTable.type, scope: activityEntriesTable.scopeFreelancerId })
    .from(activityEntriesTable)
    .where(eq(activityEntriesTable.workroomId, workroomId))
    .orderBy(asc(activityEntriesTable.seq))
  t.same(
    types.map((e) => e.type),
    [
      'screenshot.uploaded',
      'screenshot.commented',
      'screenshot.commented',
      'screenshot.blurred',
      'screenshot.uploaded',
      'screenshot.uploaded',
      'screenshot.rejected',
      'screenshot.deleted',
    ],
  )
  t.ok(
    types.every((e) => e.scope === freelancer.id),
    'every entry is scoped to the freelancer',
  )

  const settings = await call({
    method: 'PUT',
    url: `/api/v1/contracts/${contractId}/workview`,
    token: client.token,
    payload: { screenshotsPerSegment: 3 },
  })
  t.equal(settings.json().screenshotsPerSegment, 3)
  t.equal(
    (
      await call({
        method: 'PUT',
        url: `/api/v1/contracts/${contractId}/workview`,
        token: freelancer.token,
        payload: { screenshotsPerSegment: 0 },
      })
    ).statusCode,
    403,
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/workview`, token: freelancer.token })).json()
      .screenshotsPerSegment,
    3,
  )

  // Past the week's deadline nothing about its screenshots changes any more.
  const fourth = (await upload('2026-11-24T10:05:00Z')).json()
  clock.set('2026-11-30T12:00:00Z')
  t.equal(
    (await call({ method: 'DELETE', url: `/api/v1/screenshots/${fourth.id}`, token: freelancer.token })).json().code,
    'tracker.week_locked',
  )
  t.equal((await upload('2026-11-24T10:07:00Z')).json().code, 'tracker.week_locked')
})

t.test('bad images: 4xx, nothing stored, the process stays up', async (t) => {
  const harness = await build(t)
  const { app, call, clock } = harness
  clock.set('2026-11-24T12:00:00Z')
  const { contractId, freelancer } = await createHourlyContract(harness)
  await planCaptures(harness, contractId, {
    '2026-11-24T10:00:00Z': ['2026-11-24T10:00:00Z', '2026-11-24T10:08:30Z'],
  })
  const post = (content: Buffer, filename: string, capturedAt: string) =>
    call({
      method: 'POST',
      url: `/api/v1/contracts/${contractId}/screenshots`,
      token: freelancer.token,
      ...multipartForm(
        { segmentStart: '2026-11-24T10:00:00Z', capturedAt },
        { filename, contentType: 'image/png', content },
      ),
    })

  // A 10,000 x 10,000 PNG of one colour compresses to a few hundred KiB: 100 megapixels declared in its header.
  const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#ffffff' } })
    .png({ compressionLevel: 9 })
    .toBuffer()
  t.ok(bomb.length < 1024 * 1024, `the bomb is only ${bomb.length} bytes`)
  const jpeg = await sharp(randomBytes(400 * 300 * 3), { raw: { width: 400, height: 300, channels: 3 } })
    .jpeg()
    .toBuffer()
  const cases: Array<[string, Buffer, string, number, string]> = [
    ['random bytes named .png', randomBytes(64 * 1024), 'shot.png', 415, 'workview.not_an_image'],
    ['a 10,000 x 10,000 PNG bomb', bomb, 'bomb.png', 413, 'workview.too_many_pixels'],
    ['a truncated JPEG', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 'cut.jpg', 422, 'workview.corrupt_image'],
    [
      'a 6 MiB file',
      Buffer.concat([await png(64, 64), randomBytes(6 * 1024 * 1024)]),
      'huge.png',
      413,
      'workview.image_too_large',
    ],
    [
      'an SVG',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'x.png',
      415,
      'workview.not_an_image',
    ],
  ]
  let second = 0
  for (const [label, content, filename, status, code] of cases) {
    const response = await post(content, filename, `2026-11-24T10:00:${String(second++).padStart(2, '0')}Z`)
    t.equal(response.statusCode, status, `${label}: ${response.body}`)
    t.equal(response.json().code, code, label)
  }
  const url = `/api/v1/contracts/${contractId}/screenshots`
  const broken = multipartForm(
    { segmentStart: '2026-11-24T10:00:00Z', capturedAt: '2026-11-24T10:01:00Z' },
    { filename: 'a.png', contentType: 'image/png', content: bomb },
  )
  const malformed: Array<[string, Parameters<typeof call>[0]]> = [
    [
      'a cut multipart body',
      {
        method: 'POST',
        url,
        token: freelancer.token,
        headers: broken.headers,
        payload: broken.payload.subarray(0, 5000),
      },
    ],
    [
      'no boundary',
      {
        method: 'POST',
        url,
        token: freelancer.token,
        headers: { 'content-type': 'multipart/form-data' },
        payload: 'xx',
      },
    ],
    [
      'fields only',
      {
        method: 'POST',
        url,
        token: freelancer.token,
        ...multipartForm({ segmentStart: '2026-11-24T10:00:00Z', capturedAt: '2026-11-24T10:01:00Z' }),
      },
    ],
    [
      'an unknown field',
      {
        method: 'POST',
        url,
        token: freelancer.token,
        ...multipartForm({ role: 'operator' }, { filename: 'a.png', contentType: 'image/png', content: bomb }),
      },
    ],
  ]
  for (const [label, request] of malformed) {
    const response = await call(request)
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${label}: ${response.statusCode} ${response.body}`)
    t.type(response.json().code, 'string')
  }
  t.same(await app.storage.list(''), [], 'no file was stored')
  t.same(await app.db.select().from(screenshotsTable), [], 'no screenshot row')
  const good = await post(await png(800, 600), 'fine.png', '2026-11-24T10:09:00Z')
  t.equal(good.statusCode, 201, 'the server still takes a good screenshot')
  t.equal((await app.storage.list('')).length, 2, 'image and thumbnail')
})
