// Terms co-edited live, frozen as versions, binding only when both parties accepted one.
import { and, asc, eq } from 'drizzle-orm'
import t from 'tap'
import * as Y from 'yjs'
import { WebSocket } from 'ws'
import {
  activityEntriesTable,
  contractsTable,
  termsMilestonesTable,
  termsVersionsTable,
} from '../../../db/schema/index.js'
import { openDocument } from '../../../common/documents.js'
import { milestoneMap, readTerms } from '../../../common/terms.js'
import { build } from '../../../test/helper.js'
import { createContract } from '../../../test/fixtures/contract.js'
import { listen, ticket, until } from '../../../test/fixtures/realtime.js'

t.setTimeout(120_000)

t.test('propose, accept with the exact hash, bind; a new draft binds only when both accept it', async (t) => {
  const { app, clock, call, register } = await build(t)
  const base = await listen(app)
  const [client, freelancer, stranger] = [
    await register('Client'),
    await register('Freelancer'),
    await register('Stranger'),
  ]
  const { contractId, workroomId } = await createContract(app, clock, {
    clientId: client.id,
    freelancerId: freelancer.id,
  })
  const bound: Array<{ contractId: string; version: number; milestones: number }> = []
  app.terms.onBound(async (tx, event) => {
    // Runs inside the binding transaction: the rows are there already.
    const rows = await tx
      .select()
      .from(termsMilestonesTable)
      .where(eq(termsMilestonesTable.contractId, event.contractId))
    bound.push({ contractId: event.contractId, version: event.version, milestones: rows.length })
  })
  const url = `/api/v1/contracts/${contractId}/terms/versions`

  // The client edits the live draft through the SDK, then proposes it.
  const sdk = openDocument({
    baseUrl: base,
    docName: `contract:${contractId}:terms`,
    getTicket: () => ticket(base, client.token),
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  })
  t.teardown(() => sdk.destroy())
  await sdk.synced()
  t.same(readTerms(sdk.doc).milestones.length, 1, 'the SDK reads the seeded terms as plain data')
  sdk.doc.transact(() => {
    sdk.doc.getMap('terms').set('price', 150_000)
    sdk.doc
      .getArray<Y.Map<unknown>>('milestones')
      .push([milestoneMap({ title: 'Polish', amount: 50_000, dueDate: '2030-06-30' })])
    sdk.doc.getText('scope').insert(0, 'Scope: ')
  })
  await until(
    async () =>
      (await app.realtime.read(`contract:${contractId}:terms`, (d) => d.getMap('terms').get('price'))) === 150_000,
    5000,
    'draft stored',
  )

  const proposed = await call({ method: 'POST', url, token: client.token })
  t.equal(proposed.statusCode, 201, 'proposed')
  const v1 = proposed.json()
  t.equal(v1.version, 1)
  t.match(v1.hash, /^[0-9a-f]{64}$/)
  t.equal(v1.terms.price, 150_000)
  t.equal(v1.terms.milestones.length, 2)
  t.ok(v1.clientAcceptedAt, 'the proposer accepted it by proposing')
  t.equal(v1.boundAt, null)

  t.equal((await call({ method: 'GET', url, token: stranger.token })).statusCode, 404, 'a stranger sees nothing')
  t.equal((await call({ method: 'POST', url, token: stranger.token })).statusCode, 404)
  const own = await call({ method: 'POST', url: `${url}/1/accept`, token: client.token, payload: { hash: v1.hash } })
  t.equal(own.statusCode, 409, 'the proposer cannot accept their own version')
  t.equal(own.json().code, 'terms.own_proposal')
  const stale = await call({
    method: 'POST',
    url: `${url}/1/accept`,
    token: freelancer.token,
    payload: { hash: 'f'.repeat(64) },
  })
  t.equal(stale.statusCode, 409, 'a stale hash is refused')
  t.equal(stale.json().code, 'terms.stale_hash')
  t.equal(
    (await call({ method: 'POST', url: `${url}/9/accept`, token: freelancer.token, payload: { hash: v1.hash } }))
      .statusCode,
    404,
  )

  const accepted = await call({
    method: 'POST',
    url: `${url}/1/accept`,
    token: freelancer.token,
    payload: { hash: v1.hash },
  })
  t.equal(accepted.statusCode, 200, 'accepted')
  t.ok(accepted.json().boundAt, 'bound')
  t.same(bound, [{ contractId, version: 1, milestones: 2 }], 'onBound ran inside the transaction')
  t.equal(
    (await call({ method: 'POST', url: `${url}/1/accept`, token: freelancer.token, payload: { hash: v1.hash } })).json()
      .code,
    'terms.already_bound',
  )

  // The binding rows equal the frozen JSON.
  const [row] = await app.db
    .select()
    .from(termsVersionsTable)
    .where(and(eq(termsVersionsTable.contractId, contractId), eq(termsVersionsTable.version, 1)))
  t.same(JSON.parse(row!.canonicalJson), v1.terms)
  t.equal(row!.price, v1.terms.price)
  t.equal(row!.scope, v1.terms.scope)
  const milestones = await app.db
    .select()
    .from(termsMilestonesTable)
    .where(eq(termsMilestonesTable.contractId, contractId))
    .orderBy(asc(termsMilestonesTable.position))
  t.same(
    milestones.map((m) => ({ title: m.title, amount: m.amount, dueDate: m.dueDate })),
    v1.terms.milestones,
  )
  const [contract] = await app.db.select().from(contractsTable).where(eq(contractsTable.id, contractId))
  t.equal(contract!.boundTermsVersion, 1)
  t.equal(contract!.price, 150_000)
  const activity = await app.db
    .select()
    .from(activityEntriesTable)
    .where(eq(activityEntriesTable.workroomId, workroomId))
  t.same(
    activity.map((a) => a.type).filter((type) => type.startsWith('terms.')),
    ['terms.proposed', 'terms.bound'],
  )
  // The database itself refuses to change bound terms.
  await t.rejects(
    app.db.update(termsVersionsTable).set({ price: 1 }).where(eq(termsVersionsTable.contractId, contractId)),
    'bound version: UPDATE refused',
  )
  await t.rejects(
    app.db.update(termsMilestonesTable).set({ amount: 1 }).where(eq(termsMilestonesTable.contractId, contractId)),
    'milestones: UPDATE refused',
  )
  await t.rejects(
    app.db.delete(termsVersionsTable).where(eq(termsVersionsTable.contractId, contractId)),
    'DELETE refused',
  )

  // Editing after binding makes a new draft; proposing it changes nothing that binds.
  sdk.doc.getMap('terms').set('price', 175_000)
  sdk.doc.getArray<Y.Map<unknown>>('milestones').get(1).set('amount', 75_000)
  await until(
    async () =>
      (await app.realtime.read(`contract:${contractId}:terms`, (d) => d.getMap('terms').get('price'))) === 175_000,
    5000,
    'new draft stored',
  )
  const v2 = (await call({ method: 'POST', url, token: freelancer.token })).json()
  t.equal(v2.version, 2)
  t.ok(v2.freelancerAcceptedAt)
  const [still] = await app.db.select().from(contractsTable).where(eq(contractsTable.id, contractId))
  t.equal(still!.boundTermsVersion, 1, 'version 1 still binds')
  t.equal(still!.price, 150_000)
  const accept2 = await call({
    method: 'POST',
    url: `${url}/2/accept`,
    token: client.token,
    payload: { hash: v2.hash },
  })
  t.equal(accept2.statusCode, 200, 'accepted')
  const [now] = await app.db.select().from(contractsTable).where(eq(contractsTable.id, contractId))
  t.equal(now!.boundTermsVersion, 2, 'both accepted version 2: it binds')
  t.equal(now!.price, 175_000)
  const list = (await call({ method: 'GET', url, token: freelancer.token })).json()
  t.same(
    list.items.map((v: { version: number; boundAt: string | null }) => [v.version, Boolean(v.boundAt)]),
    [
      [1, true],
      [2, true],
    ],
    'every version stays readable',
  )
  t.equal(list.items[0].terms.price, 150_000)

  // The live contract state shows the binding version.
  t.equal(
    await app.realtime.read(`contract:${contractId}:state`, (d) => d.getMap('contract').get('boundTermsVersion')),
    2,
  )
})

t.test('a version superseded by a newer proposal cannot be accepted', async (t) => {
  const { app, clock, call, register } = await build(t)
  const [client, freelancer] = [await register('Client'), await register('Freelancer')]
  const { contractId } = await createContract(app, clock, { clientId: client.id, freelancerId: freelancer.id })
  const url = `/api/v1/contracts/${contractId}/terms/versions`
  const v1 = (await call({ method: 'POST', url, token: client.token })).json()
  await app.realtime.write(`contract:${contractId}:terms`, (doc) => doc.getText('scope').insert(0, 'More: '))
  const v2 = (await call({ method: 'POST', url, token: freelancer.token })).json()
  t.equal(v2.version, 2)
  const late = await call({
    method: 'POST',
    url: `${url}/1/accept`,
    token: freelancer.token,
    payload: { hash: v1.hash },
  })
  t.equal(late.statusCode, 409)
  t.equal(late.json().code, 'terms.superseded')
})

t.test('invalid drafts are refused with the field named', async (t) => {
  const { app, clock, call, register } = await build(t)
  const [client, freelancer] = [await register('Client'), await register('Freelancer')]
  const fixed = await createContract(app, clock, { clientId: client.id, freelancerId: freelancer.id })
  const hourly = await createContract(app, clock, {
    clientId: client.id,
    freelancerId: freelancer.id,
    arrangement: 'hourly',
    currency: 'EUR',
  })
  // [what, contract, change, the field's path, the message a person reads]
  const cases: Array<[string, string, (doc: Y.Doc) => void, string, string]> = [
    [
      'milestones must add up to the price',
      fixed.contractId,
      (d) => d.getMap('terms').set('price', 99_999),
      'milestones',
      'Milestones must add up to the price $999.99 (they add up to $1,000.00)',
    ],
    [
      'a date that does not exist',
      fixed.contractId,
      (d) => d.getArray<Y.Map<unknown>>('milestones').get(0).set('dueDate', '2030-02-30'),
      'milestones.0.dueDate',
      'Milestone 1 due date must be empty or a date like 2026-12-31',
    ],
    [
      'a fractional amount',
      fixed.contractId,
      (d) => d.getArray<Y.Map<unknown>>('milestones').get(0).set('amount', 10.5),
      'milestones.0.amount',
      'Milestone 1 amount must be an amount above zero',
    ],
    [
      'a negative price',
      fixed.contractId,
      (d) => d.getMap('terms').set('price', -5),
      'price',
      'Price must be an amount above zero',
    ],
    [
      'another currency',
      fixed.contractId,
      (d) => d.getMap('terms').set('currency', 'EUR'),
      'currency',
      "Currency must be the contract's currency USD",
    ],
    [
      'a rate as a string',
      hourly.contractId,
      (d) => d.getMap('terms').set('hourlyRate', '45'),
      'hourlyRate',
      'Hourly rate must be an amount above zero',
    ],
    [
      'a weekly limit of zero',
      hourly.contractId,
      (d) => d.getMap('terms').set('weeklyLimitMinutes', 0),
      'weeklyLimitMinutes',
      'Weekly limit must be empty (no limit) or from 1 minute to 168 hours',
    ],
    [
      'a second milestone of nothing (left in place: the last fixed case)',
      fixed.contractId,
      (d) => d.getArray<Y.Map<unknown>>('milestones').push([milestoneMap({ title: 'B', amount: 0, dueDate: null })]),
      'milestones.1.amount',
      'Milestone 2 amount must be an amount above zero',
    ],
  ]
  for (const [label, contractId, mutate, field, message] of cases) {
    const docName = `contract:${contractId}:terms`
    const before = await app.realtime.read(docName, (doc) => Y.encodeStateAsUpdate(doc))
    await app.realtime.write(docName, mutate)
    const response = await call({
      method: 'POST',
      url: `/api/v1/contracts/${contractId}/terms/versions`,
      token: client.token,
    })
    t.equal(response.statusCode, 400, label)
    t.equal(response.json().code, 'terms.invalid')
    t.equal(response.json().field, field, `${label}: names ${field}`)
    t.equal(response.json().message, message, `${label}: the field in words`)
    t.match(response.json().errors, [{ field, label: message.split(' must ')[0] }], 'listed beside the field')
    // Undo: a fresh draft from the version before (apply the inverse by rewriting the fields).
    await app.realtime.write(docName, (doc) => {
      const previous = new Y.Doc()
      Y.applyUpdate(previous, before)
      const terms = previous.getMap('terms')
      for (const key of terms.keys()) doc.getMap('terms').set(key, terms.get(key))
      const milestone = previous.getArray<Y.Map<unknown>>('milestones').get(0)
      if (milestone)
        for (const key of milestone.keys())
          doc.getArray<Y.Map<unknown>>('milestones').get(0).set(key, milestone.get(key))
      previous.destroy()
    })
  }
  const ok = await call({
    method: 'POST',
    url: `/api/v1/contracts/${hourly.contractId}/terms/versions`,
    token: freelancer.token,
  })
  t.equal(ok.statusCode, 201, 'a valid hourly draft is proposed')
  t.equal(ok.json().terms.hourlyRate, 4_500)
})
