// Endpoints through the HTTP API: the secret shown once, who sees what (others get 404),
// operators' instance-wide endpoints, and the addresses a webhook may not reach.
import t from 'tap'
import { build } from '../../../test/helper.js'
import { makeOperator } from '../../../test/money.js'
import { startReceiver } from '../../../test/fixtures/webhook-receiver.js'
import { createEndpoint, deliveriesOf, documentedVerifier, notifyEvent } from './webhooks.fixtures.js'

t.setTimeout(180_000)

const env = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '0' }

t.test("an endpoint's secret is shown once; only its owner sees or touches it", async (t) => {
  const ctx = await build(t, { env })
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const [alice, mallory] = [await ctx.register('Alice'), await ctx.register('Mallory')]
  const created = await ctx.call({
    method: 'POST',
    url: '/api/v1/webhooks',
    token: alice.token,
    payload: { url: receiver.url, eventTypes: ['milestone.funded', 'invoice.issued'], description: 'Books' },
  })
  t.equal(created.statusCode, 201)
  const endpoint = created.json()
  t.match(endpoint, { scope: 'user', enabled: true, eventTypes: ['milestone.funded', 'invoice.issued'] })
  t.match(endpoint.secret, /^whsec_[A-Za-z0-9_-]{43}$/)

  const listed = (await ctx.call({ method: 'GET', url: '/api/v1/webhooks', token: alice.token })).json()
  t.equal(listed.items.length, 1)
  t.notOk('secret' in listed.items[0], 'the list does not show the secret')
  const one = (await ctx.call({ method: 'GET', url: `/api/v1/webhooks/${endpoint.id}`, token: alice.token })).json()
  t.notOk('secret' in one, 'nor does the endpoint')
  t.same((await ctx.call({ method: 'GET', url: '/api/v1/webhooks', token: mallory.token })).json().items, [])

  const base = `/api/v1/webhooks/${endpoint.id}`
  await notifyEvent(ctx, [alice])
  const [delivery] = await deliveriesOf(ctx, alice, endpoint.id)
  const attempts = [
    { method: 'GET', url: base },
    { method: 'PATCH', url: base, payload: { enabled: false } },
    { method: 'DELETE', url: base },
    { method: 'POST', url: `${base}/rotate-secret` },
    { method: 'GET', url: `${base}/deliveries` },
    { method: 'GET', url: `${base}/deliveries/${delivery!.id}` },
    { method: 'POST', url: `${base}/deliveries/${delivery!.id}/redeliver` },
  ] as const
  for (const attempt of attempts) {
    const response = await ctx.call({ ...attempt, token: mallory.token })
    t.equal(response.statusCode, 404, `${attempt.method} ${attempt.url} answers 404 to someone else`)
    t.equal(response.json().code, 'webhooks.not_found')
  }
  t.equal((await ctx.call({ method: 'GET', url: base })).statusCode, 401, 'and 401 without signing in')
  t.match((await ctx.call({ method: 'GET', url: base, token: alice.token })).json(), { enabled: true })

  // Rotation: the next delivery is signed with the new secret only.
  const rotated = await ctx.call({ method: 'POST', url: `${base}/rotate-secret`, token: alice.token })
  t.equal(rotated.statusCode, 200)
  const { secret } = rotated.json()
  t.not(secret, endpoint.secret)
  await ctx.app.webhooks.drain()
  const verify = await documentedVerifier()
  const received = receiver.received[0]!
  const now = ctx.clock.now().getTime() / 1000
  t.ok(verify(secret, received.body, String(received.headers['workroom-signature']), now))
  t.notOk(verify(endpoint.secret, received.body, String(received.headers['workroom-signature']), now))

  const patched = await ctx.call({
    method: 'PATCH',
    url: base,
    token: alice.token,
    payload: { eventTypes: ['*'], description: 'Everything', enabled: false },
  })
  t.match(patched.json(), { eventTypes: ['*'], description: 'Everything', enabled: false, disabledReason: 'manual' })
  t.equal((await ctx.call({ method: 'DELETE', url: base, token: alice.token })).statusCode, 204)
  t.equal((await ctx.call({ method: 'GET', url: base, token: alice.token })).statusCode, 404)
})

t.test('bad input answers 400 and creates nothing; instance-wide endpoints are for operators', async (t) => {
  const ctx = await build(t, { env })
  const [alice, bob] = [await ctx.register('Alice'), await ctx.register('Bob')]
  const [operator, otherOperator] = [await makeOperator(ctx, 'Ops'), await makeOperator(ctx, 'Ops two')]
  const post = (token: string, payload: object) => ctx.call({ method: 'POST', url: '/api/v1/webhooks', token, payload })
  const cases: Array<[object, string]> = [
    [{ url: 'ftp://example.com/x', eventTypes: ['*'] }, 'webhooks.bad_url'],
    [{ url: 'not a url at all', eventTypes: ['*'] }, 'webhooks.bad_url'],
    [{ url: 'https://example.com/x', eventTypes: ['milestone.exploded'] }, 'webhooks.unknown_event_type'],
    [{ url: 'https://example.com/x', eventTypes: [] }, 'request.invalid'],
  ]
  for (const [payload, code] of cases) {
    const response = await post(alice.token, payload)
    t.equal(response.statusCode, 400, JSON.stringify(payload))
    t.equal(response.json().code, code, response.json().message)
  }
  const refused = await post(alice.token, { url: 'http://127.0.0.1:9/x', eventTypes: ['*'], scope: 'instance' })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'webhooks.operators_only')
  t.same((await ctx.call({ method: 'GET', url: '/api/v1/webhooks', token: alice.token })).json().items, [])

  const instance = await createEndpoint(ctx, operator, { url: 'http://127.0.0.1:9/x', scope: 'instance' })
  const seen = (await ctx.call({ method: 'GET', url: '/api/v1/webhooks', token: otherOperator.token })).json()
  t.same(
    seen.items.map((e: { id: string }) => e.id),
    [instance.id],
    'every operator sees an instance-wide endpoint',
  )
  t.equal(
    (await ctx.call({ method: 'GET', url: `/api/v1/webhooks/${instance.id}`, token: bob.token })).statusCode,
    404,
    'a user does not',
  )
})

t.test('loopback, private and link-local targets are refused, also after DNS and at send time', async (t) => {
  const strict = await build(t, { env: { WEBHOOK_POLL_MS: '0' } })
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const alice = await strict.register('Alice')
  const targets = [
    `http://127.0.0.1:${receiver.port}/hook`,
    `http://localhost:${receiver.port}/hook`,
    'http://[::1]/hook',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/hook',
    'http://0.0.0.0/hook',
    'http://224.0.0.1/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://100.64.0.1/hook',
  ]
  for (const url of targets) {
    const response = await strict.call({
      method: 'POST',
      url: '/api/v1/webhooks',
      token: alice.token,
      payload: { url, eventTypes: ['*'] },
    })
    t.equal(response.statusCode, 400, url)
    t.equal(response.json().code, 'webhooks.target_refused', response.json().message)
  }
  t.match(
    (
      await strict.call({
        method: 'POST',
        url: '/api/v1/webhooks',
        token: alice.token,
        payload: { url: `http://localhost:${receiver.port}/hook`, eventTypes: ['*'] },
      })
    ).json().message,
    /localhost \((127\.0\.0\.1|::1)\) is a loopback address/,
    'the name was resolved and its address checked',
  )

  // An endpoint saved while private targets were allowed (another instance's setting): this
  // instance resolves the name when it connects and refuses to send.
  await strict.app.close()
  const lenient = await build(t, { env: { ...env }, sameDatabaseAs: strict })
  const endpoint = await createEndpoint(lenient, alice, { url: `http://localhost:${receiver.port}/hook` })
  await lenient.app.close()
  const again = await build(t, { env: { WEBHOOK_POLL_MS: '0' }, sameDatabaseAs: strict })
  await notifyEvent(again, [alice])
  await again.app.webhooks.drain()
  t.equal(receiver.received.length, 0, 'nothing reached the loopback receiver')
  const [log] = await deliveriesOf(again, alice, endpoint.id)
  t.match(log, { status: 'pending', attempts: 1, lastStatusCode: null, lastError: /loopback address/ })
})
