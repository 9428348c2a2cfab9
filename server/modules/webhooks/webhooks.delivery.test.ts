// Deliveries to a real HTTP receiver on port 0: signed as documented, retried with backoff
// after a 500, disabled after a run of failures (the owner notified), redelivered by hand.
import Ajv from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import t from 'tap'
import { DAY, HOUR, MINUTE } from '../../clock.js'
import { build, type TestApp } from '../../../test/helper.js'
import { makeOperator } from '../../../test/money.js'
import { startReceiver } from '../../../test/fixtures/webhook-receiver.js'
import { createEndpoint, deliveriesOf, documentedVerifier, notifyEvent } from './webhooks.fixtures.js'

t.setTimeout(180_000)

const env = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '0' }
const nowSeconds = (ctx: TestApp) => ctx.clock.now().getTime() / 1000

t.test('an event reaches the endpoints that take it, signed; the documented snippet verifies it', async (t) => {
  const ctx = await build(t, { env })
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const [alice, bob] = [await ctx.register('Alice'), await ctx.register('Bob')]
  const operator = await makeOperator(ctx)
  const funded = await createEndpoint(ctx, alice, { url: `${receiver.url}?funded`, eventTypes: ['milestone.funded'] })
  await createEndpoint(ctx, alice, { url: `${receiver.url}?offers`, eventTypes: ['offer.received'] })
  await createEndpoint(ctx, bob, { url: `${receiver.url}?bob` })
  const everything = await createEndpoint(ctx, operator, { url: `${receiver.url}?instance`, scope: 'instance' })

  const eventId = await notifyEvent(ctx, [alice])
  t.equal(await ctx.app.webhooks.drain(), 2, "Alice's funded endpoint and the instance-wide one")
  const objectUrls = new Set(receiver.received.map((r) => r.json.data.object.url))
  t.same(
    receiver.received.map((r) => r.headers['workroom-event-id']).sort(),
    [eventId, eventId],
    'both carry the event id',
  )
  const verify = await documentedVerifier()
  const mine = receiver.received.find((r) => r.body.includes('recipientIds') === false)!
  t.ok(verify(funded.secret, mine.body, String(mine.headers['workroom-signature']), nowSeconds(ctx)), 'verifies')
  t.notOk(
    verify(
      funded.secret,
      mine.body.replace('50000', '5000'),
      String(mine.headers['workroom-signature']),
      nowSeconds(ctx),
    ),
    'a changed body does not verify',
  )
  t.notOk(
    verify(everything.secret, mine.body, String(mine.headers['workroom-signature']), nowSeconds(ctx)),
    "another endpoint's secret does not verify",
  )
  t.notOk(
    verify(funded.secret, mine.body, String(mine.headers['workroom-signature']), nowSeconds(ctx) + 3600),
    'an hour-old signature is refused',
  )
  t.match(mine.json, {
    id: eventId,
    type: 'milestone.funded',
    data: {
      object: {
        kind: 'milestone',
        title: 'Acme funded “Design” (US$500.00)',
        details: { amount: { amount: '50000' } },
      },
    },
  })
  const instance = receiver.received.find((r) => r !== mine)!
  t.ok(verify(everything.secret, instance.body, String(instance.headers['workroom-signature']), nowSeconds(ctx)))
  t.same(instance.json.data.recipientIds, [alice.id], 'an instance-wide endpoint learns who was notified')
  t.same([...objectUrls], ['http://localhost:3000/contracts/c1'], 'both name the object by its absolute url')

  // The body matches the event type's schema in the OpenAPI document.
  const doc = (await ctx.call({ method: 'GET', url: '/openapi.json' })).json()
  for (const type of (await ctx.call({ method: 'GET', url: '/api/v1/webhooks/event-types', token: bob.token })).json()
    .items as string[])
    t.ok(doc.webhooks?.[type]?.post?.requestBody, `the OpenAPI document describes ${type}`)
  const ajv = new Ajv.default({ strict: false })
  addFormats.default(ajv)
  const validate = ajv.compile(doc.webhooks['milestone.funded'].post.requestBody.content['application/json'].schema)
  t.ok(validate(mine.json), JSON.stringify(validate.errors))
  t.ok(validate(instance.json), JSON.stringify(validate.errors))

  const [log] = await deliveriesOf(ctx, alice, funded.id)
  t.match(log, { eventId, status: 'delivered', attempts: 1, lastStatusCode: 200, nextAttemptAt: null })
  t.type(log!.lastDurationMs, 'number')
  t.equal(await ctx.app.webhooks.drain(), 0, 'nothing more to send')
  t.equal(receiver.received.length, 2, "Bob's endpoint and the offers endpoint got nothing")
})

t.test('a 500 is retried after a backoff, and the event is delivered once acknowledged, same id', async (t) => {
  const ctx = await build(t, { env })
  const receiver = await startReceiver([500])
  t.teardown(() => receiver.close())
  const alice = await ctx.register('Alice')
  const endpoint = await createEndpoint(ctx, alice, { url: receiver.url })
  const eventId = await notifyEvent(ctx, [alice])

  await ctx.app.webhooks.drain()
  t.equal(receiver.received.length, 1)
  let [log] = await deliveriesOf(ctx, alice, endpoint.id)
  t.match(log, { status: 'pending', attempts: 1, lastStatusCode: 500 })
  const wait = new Date(log!.nextAttemptAt!).getTime() - ctx.clock.now().getTime()
  t.ok(wait >= 22_500 && wait <= 37_500, `the first retry waits 30 s ± 25 % (${wait} ms)`)
  await ctx.app.webhooks.drain()
  t.equal(receiver.received.length, 1, 'not retried before its time')

  ctx.clock.advance(40_000)
  await ctx.app.webhooks.drain()
  t.equal(receiver.received.length, 2, 'retried')
  t.same(
    receiver.received.map((r) => r.json.id),
    [eventId, eventId],
  )
  t.same(
    receiver.received.map((r) => r.headers['workroom-delivery-attempt']),
    ['1', '2'],
  )
  ;[log] = await deliveriesOf(ctx, alice, endpoint.id)
  t.match(log, { status: 'delivered', attempts: 2, lastStatusCode: 200 })
  const detail = (
    await ctx.call({ method: 'GET', url: `/api/v1/webhooks/${endpoint.id}/deliveries/${log!.id}`, token: alice.token })
  ).json()
  t.match(detail.log, [
    { attempt: 1, statusCode: 500 },
    { attempt: 2, statusCode: 200 },
  ])
  ctx.clock.advance(DAY)
  t.equal(await ctx.app.webhooks.drain(), 0)
  t.equal(receiver.received.length, 2, 'an acknowledged event is not sent again')
})

t.test('a delivery that never succeeds is retried for 3 days, then marked failed', async (t) => {
  const ctx = await build(t, { env: { ...env, WEBHOOK_DISABLE_AFTER_FAILURES: '1000' } })
  const receiver = await startReceiver(Array(100).fill(503))
  t.teardown(() => receiver.close())
  const alice = await ctx.register('Alice')
  const endpoint = await createEndpoint(ctx, alice, { url: receiver.url })
  await notifyEvent(ctx, [alice])
  for (let i = 0; i < 40; i++) {
    await ctx.app.webhooks.drain()
    const [log] = await deliveriesOf(ctx, alice, endpoint.id)
    if (log!.status !== 'pending') break
    ctx.clock.set(log!.nextAttemptAt!)
  }
  const [log] = await deliveriesOf(ctx, alice, endpoint.id)
  t.equal(log!.status, 'failed')
  const detail = (
    await ctx.call({ method: 'GET', url: `/api/v1/webhooks/${endpoint.id}/deliveries/${log!.id}`, token: alice.token })
  ).json()
  const times: number[] = detail.log.map((a: { at: string }) => new Date(a.at).getTime())
  t.ok(times.at(-1)! - times[0]! <= 3 * DAY, 'no attempt more than 3 days after the first')
  t.ok(times.at(-1)! - times[0]! > 2 * DAY, 'attempts went on for days')
  const gaps = times.slice(1).map((at, i) => at - times[i]!)
  t.ok(gaps[0]! < MINUTE && gaps.at(-1)! > 6 * HOUR, 'the waits grow from under a minute to hours')
  t.ok(log!.attempts >= 12 && log!.attempts <= 20, `${log!.attempts} attempts`)
  t.equal(receiver.received.length, log!.attempts)
})

t.test(
  'after a run of failures the endpoint is disabled and its owner notified; turned on again it delivers',
  async (t) => {
    const ctx = await build(t, { env: { ...env, WEBHOOK_DISABLE_AFTER_FAILURES: '3' } })
    const receiver = await startReceiver([500, 500, 500])
    t.teardown(() => receiver.close())
    const alice = await ctx.register('Alice')
    const endpoint = await createEndpoint(ctx, alice, { url: receiver.url, eventTypes: ['milestone.funded'] })
    const first = await notifyEvent(ctx, [alice])
    for (let i = 0; i < 3; i++) {
      await ctx.app.webhooks.drain()
      ctx.clock.advance(10 * MINUTE)
    }
    t.equal(receiver.received.length, 3)
    const shown = (await ctx.call({ method: 'GET', url: `/api/v1/webhooks/${endpoint.id}`, token: alice.token })).json()
    t.match(shown, { enabled: false, disabledReason: 'failing', consecutiveFailures: 3 })
    const bell = (await ctx.call({ method: 'GET', url: '/api/v1/notifications', token: alice.token })).json()
    const disabled = bell.items.find((n: { type: string }) => n.type === 'webhook.disabled')
    t.ok(disabled, 'the owner has a webhook.disabled notification')
    t.match(disabled.title, /turned off after 3 failed attempts/)

    await notifyEvent(ctx, [alice])
    ctx.clock.advance(HOUR)
    t.equal(await ctx.app.webhooks.drain(), 0, 'a disabled endpoint gets nothing')
    t.equal((await deliveriesOf(ctx, alice, endpoint.id)).length, 1, 'and no event is queued for it')

    const on = await ctx.call({
      method: 'PATCH',
      url: `/api/v1/webhooks/${endpoint.id}`,
      token: alice.token,
      payload: { enabled: true },
    })
    t.match(on.json(), { enabled: true, disabledReason: null, consecutiveFailures: 0 })
    await ctx.app.webhooks.drain()
    t.equal(receiver.received.at(-1)!.json.id, first, 'the pending delivery goes out once it is on again')
    t.match(await deliveriesOf(ctx, alice, endpoint.id), [{ eventId: first, status: 'delivered', attempts: 4 }])
  },
)

t.test('redelivery sends the same event again; a pending one cannot be redelivered', async (t) => {
  const ctx = await build(t, { env })
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const alice = await ctx.register('Alice')
  const endpoint = await createEndpoint(ctx, alice, { url: receiver.url })
  const eventId = await notifyEvent(ctx, [alice])
  const [pending] = await deliveriesOf(ctx, alice, endpoint.id)
  const url = `/api/v1/webhooks/${endpoint.id}/deliveries/${pending!.id}/redeliver`
  const early = await ctx.call({ method: 'POST', url, token: alice.token })
  t.equal(early.statusCode, 409)
  t.equal(early.json().code, 'webhooks.already_pending')

  await ctx.app.webhooks.drain()
  const again = await ctx.call({ method: 'POST', url, token: alice.token })
  t.equal(again.statusCode, 202)
  t.match(again.json(), { status: 'pending', eventId })
  await ctx.app.webhooks.drain()
  t.equal(receiver.received.length, 2)
  t.equal(receiver.received[0]!.body, receiver.received[1]!.body, 'the same body')
  t.equal(receiver.received[1]!.json.id, eventId)
  t.match(await deliveriesOf(ctx, alice, endpoint.id), [{ status: 'delivered', attempts: 2 }])
})

t.test('two instances draining the same outbox at once send each delivery once', async (t) => {
  const first = await build(t, { env })
  const second = await build(t, { env, sameDatabaseAs: first })
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const alice = await first.register('Alice')
  await createEndpoint(first, alice, { url: receiver.url })
  const events: string[] = []
  for (let i = 0; i < 30; i++) events.push(await notifyEvent(first, [alice]))
  const [a, b] = await Promise.all([first.app.webhooks.drain(), second.app.webhooks.drain()])
  t.equal(a + b, 30, `30 attempts between them (${a} and ${b})`)
  t.same(receiver.received.map((r) => r.json.id).sort(), [...events].sort(), 'each event once')
})
