import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { activityEntriesTable } from '../../../db/schema/index.js'
import { boundFixedContract } from '../../../test/fixtures/fixed-contract.js'
import { build } from '../../../test/helper.js'
import { balances, depositConfirmed, idem, makeOperator, verifyLedger } from '../../../test/money.js'

t.setTimeout(180_000)

t.test(
  'milestones from binding terms: fund, submit, changes, partial and full release, fees and invoices',
  async (t) => {
    const ctx = await build(t)
    const { call } = ctx
    const operator = await makeOperator(ctx)
    const [client, freelancer, stranger] = [
      await ctx.register('Cleo'),
      await ctx.register('Fred'),
      await ctx.register('Stan'),
    ]
    const { contractId, workroomId, milestoneIds } = await boundFixedContract(ctx, {
      client,
      freelancer,
      amounts: [60_000, 40_000],
    })
    const [m1, m2] = milestoneIds as [string, string]
    const url = (id: string, action: string) => `/api/v1/milestones/${id}/${action}`

    const listed = await call({
      method: 'GET',
      url: `/api/v1/contracts/${contractId}/milestones`,
      token: freelancer.token,
    })
    t.match(listed.json().items, [
      {
        position: 0,
        title: 'Milestone 1',
        amount: 60_000,
        currency: 'USD',
        state: 'pending',
        termsVersion: 1,
        held: 0,
      },
      { position: 1, title: 'Milestone 2', amount: 40_000, state: 'pending' },
    ])
    t.equal(
      (await call({ method: 'GET', url: `/api/v1/contracts/${contractId}/milestones`, token: stranger.token }))
        .statusCode,
      404,
      'a stranger sees nothing',
    )
    t.equal((await call({ method: 'GET', url: `/api/v1/milestones/${m1}`, token: stranger.token })).statusCode, 404)
    t.equal(
      (await call({ method: 'POST', url: url(m1, 'fund'), token: stranger.token, headers: idem() })).statusCode,
      404,
      'nor may a stranger act',
    )

    const broke = await call({ method: 'POST', url: url(m1, 'fund'), token: client.token, headers: idem() })
    t.equal(broke.statusCode, 409, 'funding needs money in the wallet')
    t.equal(broke.json().code, 'ledger.insufficient_funds')
    await depositConfirmed(ctx, client, operator, 100_000)
    t.equal(
      (await call({ method: 'POST', url: url(m1, 'fund'), token: freelancer.token, headers: idem() })).statusCode,
      403,
      'the freelancer does not fund',
    )
    t.equal(
      (await call({ method: 'POST', url: url(m1, 'submit'), token: freelancer.token, payload: { message: 'early' } }))
        .statusCode,
      409,
      'no submission before funding',
    )

    const funded = await call({ method: 'POST', url: url(m1, 'fund'), token: client.token, headers: idem() })
    t.equal(funded.statusCode, 200)
    t.match(funded.json(), { state: 'funded', funded: 60_000, held: 60_000 })
    t.same(await balances(ctx, client), { available: 40_000, inEscrow: 60_000, earnings: 0, pendingWithdrawal: 0 })
    t.equal(
      (await call({ method: 'POST', url: url(m1, 'fund'), token: client.token, headers: idem() })).statusCode,
      409,
      'funded once',
    )

    t.equal(
      (await call({ method: 'POST', url: url(m1, 'submit'), token: client.token, payload: { message: 'x' } }))
        .statusCode,
      403,
      'the client does not submit',
    )
    const badFile = await call({
      method: 'POST',
      url: url(m1, 'submit'),
      token: freelancer.token,
      payload: { message: 'x', fileIds: [randomUUID()] },
    })
    t.equal(badFile.statusCode, 400)
    t.equal(badFile.json().code, 'milestones.file_not_found')
    const submitted = await call({
      method: 'POST',
      url: url(m1, 'submit'),
      token: freelancer.token,
      payload: { message: 'First draft is up' },
    })
    t.equal(submitted.statusCode, 200)
    t.equal(submitted.json().state, 'submitted')
    t.equal(
      submitted.json().autoReleaseAt,
      new Date(ctx.clock.now().getTime() + 14 * 86_400_000).toISOString(),
      'auto-release in 14 days',
    )

    t.equal(
      (
        await call({
          method: 'POST',
          url: url(m1, 'request-changes'),
          token: freelancer.token,
          payload: { message: 'x' },
        })
      ).statusCode,
      403,
    )
    const changes = await call({
      method: 'POST',
      url: url(m1, 'request-changes'),
      token: client.token,
      payload: { message: 'Please make the header blue' },
    })
    t.equal(changes.statusCode, 200)
    t.match(changes.json(), {
      state: 'changes_requested',
      autoReleaseAt: null,
      submissions: [{ outcome: 'changes_requested', reviewMessage: 'Please make the header blue' }],
    })
    const again = await call({
      method: 'POST',
      url: url(m1, 'submit'),
      token: freelancer.token,
      payload: { message: 'Blue now' },
    })
    t.equal(again.json().state, 'submitted')
    t.equal(again.json().submissions.length, 2)
    t.equal(again.json().submissions[1].message, 'Blue now', 'submissions in order')

    const tooMuch = await call({
      method: 'POST',
      url: url(m1, 'approve'),
      token: client.token,
      headers: idem(),
      payload: { amount: 60_001 },
    })
    t.equal(tooMuch.statusCode, 409)
    t.equal(tooMuch.json().code, 'milestones.amount_exceeds_hold')
    t.equal(
      (await call({ method: 'POST', url: url(m1, 'approve'), token: freelancer.token, headers: idem(), payload: {} }))
        .statusCode,
      403,
    )
    const partial = await call({
      method: 'POST',
      url: url(m1, 'approve'),
      token: client.token,
      headers: idem(),
      payload: { amount: 12_345 },
    })
    t.equal(partial.statusCode, 200)
    t.match(
      partial.json(),
      { state: 'submitted', released: 12_345, fees: 1_234, held: 47_655 },
      'fee = floor(12345 * 1000 / 10000); the rest stays in escrow',
    )
    t.same(
      await balances(ctx, freelancer),
      { available: 0, inEscrow: 0, earnings: 11_111, pendingWithdrawal: 0 },
      'the net reaches earnings',
    )

    const rest = await call({ method: 'POST', url: url(m1, 'approve'), token: client.token, headers: idem() })
    t.equal(rest.statusCode, 200, 'approve without a body releases all that is left')
    // Each release rounds its own fee down: 1234 + floor(4765.5) = 5999, and 11111 + 42890 + 5999 = 60000.
    t.match(rest.json(), {
      state: 'released',
      released: 60_000,
      fees: 5_999,
      held: 0,
      submissions: [{}, { outcome: 'approved' }],
    })
    t.same(
      await balances(ctx, freelancer),
      { available: 0, inEscrow: 0, earnings: 54_001, pendingWithdrawal: 0 },
      'the parts add up to the whole',
    )
    t.same(await balances(ctx, client), { available: 40_000, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 })
    for (const action of ['approve', 'refund']) {
      const late = await call({
        method: 'POST',
        url: url(m1, action),
        token: action === 'approve' ? client.token : freelancer.token,
        headers: idem(),
      })
      t.equal(late.statusCode, 409, `${action} after release answers 409`)
      t.equal(late.json().code, 'milestones.bad_state')
    }

    const invoices = await call({
      method: 'GET',
      url: `/api/v1/invoices?contractId=${contractId}`,
      token: client.token,
    })
    t.equal(invoices.statusCode, 200)
    const items = invoices.json().items as Array<Record<string, any>>
    t.equal(items.length, 2, 'one invoice per release')
    t.same(items.map((i) => i.number).sort(), [1, 2], 'numbered from one sequence')
    t.match(
      items.find((i) => i.number === 1),
      {
        state: 'paid',
        kind: 'invoice',
        total: 12_345,
        feeAmount: 1_234,
        freelancerNet: 11_111,
        displayNumber: 'INV-000001',
        lines: [{ amount: 12_345, description: /partial release/ }],
      },
    )
    t.equal(
      (await call({ method: 'GET', url: `/api/v1/invoices?contractId=${contractId}`, token: stranger.token }))
        .statusCode,
      404,
    )
    t.equal(
      (await call({ method: 'GET', url: `/api/v1/invoices/${items[0]!.id}`, token: stranger.token })).statusCode,
      404,
    )
    const html = await call({ method: 'GET', url: `/api/v1/invoices/${items[0]!.id}/html`, token: freelancer.token })
    t.equal(html.statusCode, 200)
    t.match(html.headers['content-type'], /text\/html/)
    t.match(html.headers['content-security-policy'], /default-src 'none'.*frame-ancestors 'none'/, 'a strict policy')
    t.equal(html.headers['x-frame-options'], 'SAMEORIGIN', 'security headers on the invoice page')
    t.equal(html.headers['x-content-type-options'], 'nosniff')
    t.match(html.body, /INV-00000\d/)
    t.match(html.body, /Cleo/)
    t.notMatch(html.body, /<script/i)

    // Refunds: the client asks; the freelancer's consent moves the money.
    await call({ method: 'POST', url: url(m2, 'fund'), token: client.token, headers: idem() })
    const asked = await call({
      method: 'POST',
      url: url(m2, 'refund'),
      token: client.token,
      headers: idem(),
      payload: { amount: 15_000 },
    })
    t.equal(asked.statusCode, 202, 'the client only asks')
    t.match(asked.json(), { state: 'funded', held: 40_000, refundRequest: { amount: 15_000 } })
    t.equal((await balances(ctx, client)).available, 0, 'nothing moved yet')
    const consent = await call({ method: 'POST', url: url(m2, 'refund'), token: freelancer.token, headers: idem() })
    t.equal(consent.statusCode, 200, 'the freelancer consents')
    t.match(consent.json(), { state: 'funded', held: 25_000, refunded: 15_000, refundRequest: null })
    t.equal((await balances(ctx, client)).available, 15_000)
    const decided = await call({ method: 'POST', url: url(m2, 'refund'), token: operator.token, headers: idem() })
    t.equal(decided.statusCode, 200, 'an operator refunds the rest')
    t.match(decided.json(), { state: 'refunded', held: 0, refunded: 40_000 })
    t.same(await balances(ctx, client), { available: 40_000, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 })

    // Voiding an invoice issues a correcting one with the next number.
    const voided = await call({
      method: 'POST',
      url: `/api/v1/admin/invoices/${items[0]!.id}/void`,
      token: operator.token,
      payload: { reason: 'Issued in error' },
    })
    t.equal(voided.statusCode, 200)
    t.equal(voided.json().voided.state, 'void')
    t.match(voided.json().correction, {
      kind: 'credit_note',
      number: 3,
      total: -items[0]!.total,
      correctsInvoiceId: items[0]!.id,
    })
    t.equal(
      (
        await call({
          method: 'POST',
          url: `/api/v1/admin/invoices/${items[0]!.id}/void`,
          token: operator.token,
          payload: { reason: 'again' },
        })
      ).statusCode,
      409,
      'voided once',
    )
    t.equal(
      (
        await call({
          method: 'POST',
          url: `/api/v1/admin/invoices/${items[0]!.id}/void`,
          token: client.token,
          payload: { reason: 'mine' },
        })
      ).statusCode,
      403,
    )

    const types = (
      await ctx.app.db.select().from(activityEntriesTable).where(eq(activityEntriesTable.workroomId, workroomId))
    ).map((a) => a.type)
    for (const type of [
      'milestones.updated',
      'milestone.funded',
      'milestone.submitted',
      'milestone.changes_requested',
      'milestone.released',
      'milestone.refund_requested',
      'milestone.refunded',
      'invoice.voided',
    ]) {
      t.ok(types.includes(type), `activity has ${type}`)
    }
    t.equal((await verifyLedger(ctx, operator)).ok, true)
  },
)

t.test('a new terms version updates unfunded milestones and keeps funded ones', async (t) => {
  const ctx = await build(t)
  const operator = await makeOperator(ctx)
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const { contractId, milestoneIds } = await boundFixedContract(ctx, {
    client,
    freelancer,
    amounts: [10_000, 20_000, 30_000],
  })
  await depositConfirmed(ctx, client, operator, 10_000)
  await ctx.call({
    method: 'POST',
    url: `/api/v1/milestones/${milestoneIds[0]}/fund`,
    token: client.token,
    headers: idem(),
  })
  const due = new Date(ctx.clock.now().getTime() + 40 * 86_400_000).toISOString().slice(0, 10)
  const { createMilestonesFromTerms } = await import('./milestones.terms.js')
  const counts = await ctx.app.db.transaction((tx) =>
    createMilestonesFromTerms(
      tx,
      { clock: ctx.clock, ids: { newId: randomUUID } },
      {
        contractId,
        version: 2,
        terms: {
          currency: 'USD',
          milestones: [
            { title: 'Changed', amount: 99_999, dueDate: due },
            { title: 'Second, cheaper', amount: 15_000, dueDate: due },
          ],
        },
      },
    ),
  )
  t.same(counts, { created: 0, updated: 1, cancelled: 1, kept: 1 })
  const items = (
    await ctx.call({ method: 'GET', url: `/api/v1/contracts/${contractId}/milestones`, token: client.token })
  ).json().items
  t.match(items, [
    { title: 'Milestone 1', amount: 10_000, state: 'funded', termsVersion: 1 },
    { title: 'Second, cheaper', amount: 15_000, state: 'pending', termsVersion: 2 },
    { title: 'Milestone 3', state: 'cancelled' },
  ])
})
