// The HTTP fuzz suite: malformed requests generated from the OpenAPI document (so a new route
// is covered the day it is documented) against every route, with and without a session and an
// Idempotency-Key. No answer may be a 5xx, every 4xx carries a `code`, and the server answers
// normally afterwards. The frames half is test/realtime-fuzz.test.ts.
// Replay another run with FUZZ_SEED=<n>; FUZZ_LOG=error shows the server's log of a failure.
import fc from 'fast-check'
import type { InjectOptions } from 'fastify'
import t from 'tap'
import { startedContract } from './fixtures/ended-contract.js'
import { build } from './helper.js'
import { makeOperator } from './money.js'

t.setTimeout(120_000)

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206)
const PER_ROUTE = 18
const MIN_REQUESTS = 2_000

type Schema = {
  type?: string | string[]
  properties?: Record<string, Schema>
  items?: Schema
  anyOf?: Schema[]
  enum?: unknown[]
}
type Operation = {
  parameters?: Array<{ in: string; name: string; schema?: Schema }>
  requestBody?: { content?: Record<string, { schema?: Schema }> }
}
interface Route {
  method: string
  path: string
  query: string[]
  body: Schema | undefined
}

/** Values of the wrong type for a field of `schema` (and some of the right type, far out of range). */
function wrongValue(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const type = schema?.type ?? schema?.anyOf?.[0]?.type
  const common = [fc.constant(null), fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 40 })]
  switch (type) {
    case 'string':
      return fc.oneof(
        ...common,
        fc.integer(),
        fc.boolean(),
        fc.constantFrom('', ' ', 'nul\u0000byte', '\ud800 lone surrogate', '<script>x</script>', "' or 1=1 --"),
        fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)),
      )
    case 'integer':
    case 'number':
      return fc.oneof(
        ...common,
        fc.constantFrom('12', 1.5, -1, 0, 2 ** 53, -(2 ** 63), 1e308, 'NaN', '1e3'),
        fc.double({ noNaN: true }),
      )
    case 'array':
      return fc.oneof(
        ...common,
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 30 }),
        fc.integer({ min: 1000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
      )
    default:
      return fc.oneof(...common, fc.array(fc.integer(), { maxLength: 5 }), fc.constant({ $ne: null }))
  }
}

const nested = fc
  .tuple(fc.integer({ min: 20, max: 20_000 }), fc.boolean())
  .map(([levels, arrays]) =>
    arrays ? `{"a":${'['.repeat(levels)}${']'.repeat(levels)}}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`,
  )

/** A body (bytes or text) and its content type. */
function body(route: Route): fc.Arbitrary<{ payload?: string | Buffer; contentType?: string }> {
  const properties = Object.entries(route.body?.properties ?? {})
  const json = (value: fc.Arbitrary<unknown>) => value.map((v) => ({ payload: JSON.stringify(v) }))
  const fields =
    properties.length > 0
      ? fc
          .subarray(properties, { minLength: 1 })
          .chain((picked) => fc.record(Object.fromEntries(picked.map(([name, schema]) => [name, wrongValue(schema)]))))
      : fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 5 })
  return fc.oneof(
    fc.constant({}),
    json(fields),
    json(fc.jsonValue({ maxDepth: 6 })),
    nested.map((payload) => ({ payload })),
    fc
      .constantFrom(
        '{"unterminated": ',
        '{"a":1,}',
        "{'single': 'quotes'}",
        '{"__proto__": {"role": "operator"}}',
        '{"constructor": {"prototype": {"role": "operator"}}}',
        '{"\\u0000": "\\u0000"}',
        '{"a": "\\ud800"}',
        'null',
        '[]',
        '""',
        '',
      )
      .map((payload) => ({ payload })),
    fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .map((bytes) => ({ payload: Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes), Buffer.from('"}')]) })),
    fc.integer({ min: 100_000, max: 1_200_000 }).map((n) => ({ payload: JSON.stringify({ blob: 'x'.repeat(n) }) })),
    fc
      .tuple(
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=zzz',
          'multipart/form-data',
          'application/xml',
          'application/json; charset=utf-16',
          'application/json;;;',
          'application/octet-stream',
          'image/png',
          '*/*',
        ),
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constant('--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhi\r\n--zzz'),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        ),
      )
      .map(([contentType, payload]) => ({ contentType, payload })),
  )
}

t.test(`${MIN_REQUESTS}+ malformed requests across every documented route: no 5xx`, async (t) => {
  const ctx = await build(t, {
    // The fuzzer is one user sending thousands of writes: lift the limits so its requests
    // reach parsing and validation instead of stopping at 429.
    env: {
      LOG_LEVEL: process.env.FUZZ_LOG ?? 'silent',
      ...Object.fromEntries(
        [
          'WRITES_PER_MINUTE',
          'MESSAGES_PER_MINUTE',
          'UPLOADS_PER_MINUTE',
          'TICKETS_PER_MINUTE',
          'REGISTRATIONS_PER_HOUR',
          'LOGIN_MAX_FAILURES_PER_IP',
        ].map((name) => [name, '1000000']),
      ),
    },
  })
  const { app } = ctx
  const [client, freelancer] = [await ctx.register('Fuzzer'), await ctx.register('Other')]
  const operator = await makeOperator(ctx)
  // Real objects, made as users make them, so that part of the requests get past "not found".
  const { contractId, jobId, workroomId } = await startedContract(ctx, { client, freelancer })
  const ids = [contractId, jobId, workroomId, client.id, freelancer.id]

  const document = app.swagger() as { paths: Record<string, Record<string, Operation>> }
  const routes: Route[] = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body: operation.requestBody?.content?.['application/json']?.schema,
      })),
  )

  const request = (route: Route): fc.Arbitrary<InjectOptions> =>
    fc
      .record({
        id: fc.oneof(
          fc.constantFrom(...ids),
          fc.uuid(),
          fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '%ff%fe', 'x'.repeat(300), '0', '-1', 'null', '%00'),
        ),
        query: fc.array(
          fc.tuple(
            fc.oneof(fc.constantFrom(...route.query, 'limit', 'cursor'), fc.string({ maxLength: 8 })),
            fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('%ff', '-1', '1e999', '[]', '{}', 'x'.repeat(5000))),
          ),
          { maxLength: 4 },
        ),
        // Logout would end the fuzzer's own session: it gets no valid one.
        auth: fc.constantFrom(
          ...(route.path === '/api/v1/auth/logout' ? [] : ['client', 'client', 'client', 'operator', 'other', 'other']),
          'none',
          'garbage bearer',
          'garbage cookie',
          'basic',
        ),
        idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.constantFrom('has spaces', 'k'.repeat(300), 'é-key', ''))),
        headers: fc.subarray([
          ['x-request-id', '../../<script>'],
          ['accept', 'text/html'],
          ['accept-encoding', 'gzip;q=abc'],
          ['origin', 'https://evil.example'],
          ['x-forwarded-for', '1.2.3.4, not-an-ip'],
          ['content-encoding', 'gzip'],
          ['if-none-match', '"'],
        ] as const),
        body:
          route.method === 'GET' ? fc.constant<{ payload?: string | Buffer; contentType?: string }>({}) : body(route),
      })
      .map(({ id, query, auth, idempotencyKey, headers, body }) => {
        const search = query.map(
          ([k, v]) => `${encodeURIComponent(k)}=${v.startsWith('%') ? v : encodeURIComponent(v)}`,
        )
        const token = { client: client.token, operator: operator.token, other: freelancer.token }[auth as 'client']
        return {
          method: route.method as 'POST',
          url: `${route.path.replace(/\{[^}]+\}/g, () => id)}${search.length ? `?${search.join('&')}` : ''}`,
          headers: {
            ...Object.fromEntries(headers),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(auth === 'garbage bearer' ? { authorization: `Bearer ${'x'.repeat(40)}` } : {}),
            ...(auth === 'garbage cookie' ? { cookie: 'session=%ff%00; other=1' } : {}),
            ...(auth === 'basic' ? { authorization: 'Basic YWRtaW46YWRtaW4=' } : {}),
            ...(idempotencyKey !== null ? { 'idempotency-key': idempotencyKey } : {}),
            ...(body.payload !== undefined ? { 'content-type': body.contentType ?? 'application/json' } : {}),
          },
          ...(body.payload !== undefined ? { payload: body.payload } : {}),
        }
      })

  const statuses = new Map<number, number>()
  const failures: string[] = []
  let sent = 0
  for (const [index, route] of routes.entries()) {
    for (const options of fc.sample(request(route), { seed: SEED + index, numRuns: PER_ROUTE })) {
      const response = await app.inject(options)
      sent++
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
      let code: unknown
      try {
        code = response.json().code
      } catch {
        code = undefined
      }
      if (response.statusCode >= 500 || (response.statusCode >= 400 && typeof code !== 'string'))
        failures.push(
          `${options.method} ${String(options.url).slice(0, 120)}: ${response.statusCode} ${response.body.slice(0, 160)}`,
        )
    }
  }
  const fiveHundreds = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0)
  t.comment(
    `fuzz (seed ${SEED}): ${sent} requests over ${routes.length} routes; 5xx = ${fiveHundreds}; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  )
  t.ok(sent >= MIN_REQUESTS, `sent ${sent} malformed requests`)
  t.same(failures, [], 'no 5xx, and every 4xx has a code')

  // The server answers normally afterwards, and nothing made anyone more than they were.
  const me = await ctx.call({ method: 'GET', url: '/api/v1/me', token: client.token })
  t.equal(me.statusCode, 200)
  t.equal(me.json().role, 'user', 'the fuzzing account is still a plain user')
  t.equal(me.json().name, 'Fuzzer', 'and its profile is unchanged')
  const job = await ctx.call({
    method: 'POST',
    url: '/api/v1/jobs',
    token: client.token,
    payload: {
      title: 'After the fuzz',
      description: 'Still works',
      skills: ['css'],
      arrangement: 'fixed',
      currency: 'USD',
      budgetMin: 100,
      budgetMax: 200,
    },
  })
  t.equal(job.statusCode, 201, 'a well-formed write still succeeds')
  t.equal((await ctx.call({ method: 'GET', url: '/readyz' })).statusCode, 200, 'the server is ready')
})
