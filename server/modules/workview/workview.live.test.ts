import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import t from 'tap'
import { WebSocket } from 'ws'
import { createHourlyContract } from '../../../test/fixtures/hourly-contract.js'
import { build } from '../../../test/helper.js'

t.setTimeout(60_000)

interface Frame {
  type: string
  workroomId: string | null
  data: Record<string, any>
}

/** A real WebSocket client on the caller's event stream, collecting frames. */
async function openStream(base: string, token: string) {
  const ticket = await fetch(`${base}/api/v1/realtime/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  })
  const { ticket: value } = (await ticket.json()) as { ticket: string }
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/events?ticket=${encodeURIComponent(value)}`)
  const frames: Frame[] = []
  const waiters: Array<{ type: string; resolve(frame: Frame): void }> = []
  socket.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as Frame
    frames.push(frame)
    for (const waiter of waiters.filter((w) => w.type === frame.type)) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve(frame)
    }
  })
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  return {
    frames,
    next(type: string, timeoutMs: number): Promise<Frame> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs)
        waiters.push({ type, resolve: (frame) => (clearTimeout(timer), resolve(frame)) })
      })
    },
    close: () => socket.close(),
  }
}

t.test('the client sees a new screenshot live, within two seconds, and only members fetch its thumbnail', async (t) => {
  const harness = await build(t)
  const { app, clock, register } = harness
  clock.set('2026-11-24T12:00:00Z')
  const { contractId, workroomId, client, freelancer } = await createHourlyContract(harness)
  const otherBidder = await register('Other bidder')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  const clientStream = await openStream(base, client.token)
  const freelancerStream = await openStream(base, freelancer.token)
  const bidderStream = await openStream(base, otherBidder.token)
  t.teardown(() => [clientStream, freelancerStream, bidderStream].forEach((s) => s.close()))

  const image = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#336699' } })
    .png()
    .toBuffer()
  // The tracker opens the segment and hears its capture moment; the shot is taken then.
  clock.set('2026-11-24T12:00:00Z')
  const opened = await fetch(`${base}/api/v1/contracts/${contractId}/workview/segment`, {
    method: 'POST',
    headers: { authorization: `Bearer ${freelancer.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ segmentStart: '2026-11-24T12:00:00Z' }),
  })
  const [moment] = ((await opened.json()) as { captureMoments: string[] }).captureMoments
  clock.set(moment!)
  const soFar = [
    { keys: 12, pointer: 30 },
    { keys: 0, pointer: 4 },
    { keys: 0, pointer: 0, tracked: false },
  ]
  const form = new FormData()
  form.set('segmentStart', '2026-11-24T12:00:00Z')
  form.set('capturedAt', moment!)
  form.set('activity', JSON.stringify(soFar))
  form.set('memo', 'Checkout page')
  form.set('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'screen.png')

  const seen = clientStream.next('screenshot.created', 2000)
  const sentAt = performance.now()
  const response = await fetch(`${base}/api/v1/contracts/${contractId}/screenshots`, {
    method: 'POST',
    headers: { authorization: `Bearer ${freelancer.token}` },
    body: form,
  })
  t.equal(response.status, 201)
  const frame = await seen
  const elapsed = performance.now() - sentAt
  t.ok(elapsed < 2000, `the client saw it ${elapsed.toFixed(0)} ms after the upload started`)
  t.equal(frame.workroomId, workroomId)
  t.equal(frame.data.contractId, contractId)
  t.match(frame.data.screenshot, {
    state: 'active',
    capturedAt: new Date(moment!).toISOString(),
    width: 1920,
    height: 1080,
  })
  t.same(
    frame.data.segment,
    { start: '2026-11-24T12:00:00.000Z', memo: 'Checkout page', activity: soFar, activeMinutes: 2 },
    'with the segment’s activity and memo so far',
  )

  const thumbnailUrl = `${base}${frame.data.screenshot.thumbnailUrl}`
  const asClient = await fetch(thumbnailUrl, { headers: { authorization: `Bearer ${client.token}` } })
  t.equal(asClient.status, 200)
  t.equal(asClient.headers.get('content-type'), 'image/webp')
  t.equal((await sharp(Buffer.from(await asClient.arrayBuffer())).metadata()).width, 320)
  t.equal(
    (await fetch(thumbnailUrl, { headers: { authorization: `Bearer ${otherBidder.token}` } })).status,
    404,
    'another bidder gets 404',
  )
  t.equal((await fetch(thumbnailUrl)).status, 401, 'an anonymous caller gets nothing')

  // A comment from the client reaches the freelancer live too.
  const commented = freelancerStream.next('screenshot.commented', 2000)
  await fetch(`${base}/api/v1/screenshots/${frame.data.screenshot.id}/comments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'Looks good' }),
  })
  t.equal((await commented).data.comment.body, 'Looks good')
  t.same(
    bidderStream.frames.filter((f) => f.workroomId === workroomId),
    [],
    'the other bidder saw nothing of this contract',
  )
})
