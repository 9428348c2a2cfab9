// The access-control matrix, generated from the route list (the OpenAPI document): every
// route is called as every role that must be refused (access-matrix.rules.ts) on a world
// with real objects: a fixed-price contract with bound terms, a released milestone (so an
// invoice), a thread and a file, plus a second contract of the same client with another
// freelancer (the "other party"). No refused role may get a 2xx. Only refused roles are
// called, so nothing changes the world; a refusal that did change it would fail here first.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build, type TestApp, type TestUser } from './helper.js'
import { allowed, parties, resourceOf, ROLES, type Role } from './access-matrix.rules.js'
import { bindTerms, startedContract } from './fixtures/ended-contract.js'
import { releaseMilestone } from './fixtures/invoices.js'
import { upload } from './fixtures/workroom.js'
import { depositConfirmed, makeOperator } from './money.js'

t.setTimeout(120_000)

type Schema = Record<string, any>

/** The smallest value a JSON schema accepts (ids from the world, so a body names real objects). */
function sample(schema: Schema | undefined, ids: Record<string, string>, name = ''): unknown {
  if (!schema) return undefined
  if (schema.const !== undefined) return schema.const
  if (schema.enum) return schema.enum[0]
  const union = schema.anyOf ?? schema.oneOf
  if (union) return sample(union.find((s: Schema) => s.type !== 'null') ?? union[0], ids, name)
  const type = Array.isArray(schema.type) ? schema.type.find((x: string) => x !== 'null') : schema.type
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const keys: string[] = schema.required ?? []
      // A patch with nothing to change is refused before anyone's rights are checked: send one field.
      const fields = keys.length || !schema.minProperties ? keys : Object.keys(schema.properties ?? {}).slice(0, 1)
      for (const key of fields) out[key] = sample(schema.properties?.[key], ids, key)
      return out
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items, ids, name))
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1)
    case 'boolean':
      return false
    case 'string': {
      if (schema.format === 'uuid') return ids[name.replace(/Id$/, '')] ?? randomUUID()
      if (schema.format === 'date') return '2030-01-01'
      if (schema.format === 'date-time') return '2030-01-01T00:00:00.000Z'
      if (schema.format === 'email') return 'someone@example.com'
      if (/currency/i.test(name)) return 'USD'
      const plain = 'x'.repeat(Math.max(schema.minLength ?? 1, 1))
      if (!schema.pattern) return plain
      const pattern = new RegExp(schema.pattern)
      return [plain, 'a'.repeat(64), '2030-01-07', 'USD', '1'].find((candidate) => pattern.test(candidate)) ?? plain
    }
    default:
      return undefined
  }
}

interface World {
  users: Record<Exclude<Role, 'anonymous'>, TestUser>
  ids: Record<string, string>
}

async function ok(ctx: TestApp, options: Parameters<TestApp['call']>[0]) {
  const response = await ctx.call(options)
  if (response.statusCode >= 300) throw new Error(`${options.url}: ${response.statusCode} ${response.body}`)
  return response.json()
}

async function makeWorld(ctx: TestApp): Promise<World> {
  const [client, freelancer, stranger, otherParty] = await Promise.all(
    ['Client', 'Freelancer', 'Stranger', 'Other'].map((name) => ctx.register(name)),
  )
  const operator = await makeOperator(ctx)
  const users = { client: client!, freelancer: freelancer!, stranger: stranger!, otherParty: otherParty!, operator }
  // The client's webhook endpoint, subscribed to everything the world below notifies them of.
  const webhook = await ok(ctx, {
    method: 'POST',
    url: '/api/v1/webhooks',
    token: client!.token,
    payload: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] },
  })
  const main = await startedContract(ctx, { client: users.client, freelancer: users.freelancer })
  // The other party works for the same client, on another job.
  await startedContract(ctx, { client: users.client, freelancer: users.otherParty })
  const [milestone] = await bindTerms(ctx, main.contractId, users.client, users.freelancer)
  const deposit = await depositConfirmed(ctx, users.client, operator, 200_000)
  await releaseMilestone(ctx, users.client, users.freelancer, milestone!)
  const contract = await ok(ctx, { method: 'GET', url: `/api/v1/contracts/${main.contractId}`, token: client!.token })
  const invoices = await ok(ctx, {
    method: 'GET',
    url: `/api/v1/invoices?contractId=${main.contractId}`,
    token: client!.token,
  })
  const threads = await ok(ctx, {
    method: 'GET',
    url: `/api/v1/workrooms/${main.workroomId}/threads`,
    token: client!.token,
  })
  const file = (await upload(ctx, users.freelancer, main.workroomId, { name: 'notes.txt', content: 'notes' })).json()
  // A second contract between the same two, its milestone funded, submitted and disputed.
  const second = await startedContract(ctx, { client: users.client, freelancer: users.freelancer })
  const [disputedMilestone] = await bindTerms(ctx, second.contractId, users.client, users.freelancer)
  const step = (action: string, token: string, payload: object = {}) =>
    ok(ctx, {
      method: 'POST',
      url: `/api/v1/milestones/${disputedMilestone}/${action}`,
      token,
      headers: { 'idempotency-key': randomUUID() },
      payload,
    })
  await step('fund', client!.token)
  await step('submit', freelancer!.token, { message: 'Done' })
  const dispute = await step('disputes', client!.token, { reason: 'Not what we agreed.' })
  // The freelancer, paid, withdraws some of it and reports on the week.
  const withdrawal = await ok(ctx, {
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer!.token,
    headers: { 'idempotency-key': randomUUID() },
    payload: { amount: 1_000, currency: 'USD' },
  })
  const report = await ok(ctx, {
    method: 'POST',
    url: `/api/v1/contracts/${main.contractId}/status-reports`,
    token: freelancer!.token,
    payload: { workCompleted: 'The landing page.', progress: 60, plans: 'The pricing page.' },
  })
  const deliveries = await ok(ctx, {
    method: 'GET',
    url: `/api/v1/webhooks/${webhook.id}/deliveries`,
    token: client!.token,
  })
  return {
    users,
    ids: {
      webhook: webhook.id,
      webhookDelivery: deliveries.items[0]?.id ?? randomUUID(),
      job: main.jobId,
      contract: main.contractId,
      workroom: main.workroomId,
      proposal: contract.proposalId,
      milestone: milestone!,
      invoice: invoices.items[0].id,
      thread: threads.items[0].id,
      file: file.id,
      deposit,
      withdrawal: withdrawal.id,
      dispute: dispute.id,
      statusReport: report.id,
      user: users.freelancer.id,
      termsVersion: '1',
      docName: `contract:${main.contractId}:terms`,
    },
  }
}

t.test('no role gets through a route it is not allowed on', async (t) => {
  // Many calls from one user in a few seconds: the write limits would answer instead of the routes.
  const ctx = await build(t, {
    env: {
      WRITES_PER_MINUTE: '1000000',
      MESSAGES_PER_MINUTE: '1000000',
      UPLOADS_PER_MINUTE: '1000000',
      TICKETS_PER_MINUTE: '1000000',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_MS: '0',
    },
  })
  const world = await makeWorld(ctx)
  const doc = ctx.app.swagger() as unknown as { paths: Record<string, Record<string, Schema>> }
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method, path, op })),
  )
  t.ok(routes.length > 100, `${routes.length} routes in the route list`)
  const keys = new Set(routes.map((r) => r.key))
  t.same(
    Object.keys(allowed).filter((key) => !keys.has(key)),
    [],
    'every listed route exists',
  )

  let calls = 0
  let realObjects = 0
  const unexpected: string[] = []
  const statuses = new Map<number, number>()
  for (const route of routes) {
    let url = route.path
    let named = 0
    const unknown: string[] = []
    for (const match of route.path.matchAll(/([^/]+)\/\{([^}]+)\}/g)) {
      const resource = resourceOf[match[1]!]
      if (!resource) unknown.push(match[0])
      const id = resource ? world.ids[resource] : undefined
      if (id) named++
      url = url.replace(`{${match[2]}}`, encodeURIComponent(id ?? randomUUID()))
    }
    if (unknown.length) t.fail(`${route.key}: no object for ${unknown.join(', ')}; add it to resourceOf`)
    const params = (route.op.parameters ?? []) as Array<{
      in: string
      name: string
      required?: boolean
      schema: Schema
    }>
    const query = params
      .filter((p) => p.in === 'query' && p.required)
      .map((p) => `${p.name}=${encodeURIComponent(String(sample(p.schema, world.ids, p.name)))}`)
    if (query.length) url += `?${query.join('&')}`
    const bodySchema = route.op.requestBody?.content?.['application/json']?.schema
    const mayPass = allowed[route.key] ?? parties
    for (const role of ROLES.filter((r) => !mayPass.includes(r))) {
      const response = await ctx.call({
        method: route.method.toUpperCase() as 'GET',
        url,
        ...(role === 'anonymous' ? {} : { token: world.users[role].token }),
        headers: { 'idempotency-key': randomUUID() },
        ...(bodySchema ? { payload: sample(bodySchema, world.ids) as object } : {}),
      })
      calls++
      if (named === (route.path.match(/\{/g) ?? []).length) realObjects++
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
      if (response.statusCode < 300 || response.statusCode >= 500)
        unexpected.push(`${role} ${route.key} -> ${response.statusCode} ${response.body.slice(0, 120)}`)
    }
  }
  t.same(unexpected, [], 'no refused role got a success (or a 5xx)')
  const summary = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ')
  t.comment(
    `access matrix: ${routes.length} routes x ${ROLES.length} roles, ${calls} refused calls (${realObjects} on real objects; ${summary}), unexpected allows = ${unexpected.length}`,
  )
})
