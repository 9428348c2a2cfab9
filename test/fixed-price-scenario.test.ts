// A fixed-price contract end to end through the HTTP API: two milestones from binding terms,
// deposit, funding, submission, change request, approval with a partial release, auto-release,
// invoices and a withdrawal; the contract's live state document shows each status as it happens.
import t from 'tap'
import { DAY } from '../server/clock.js'
import { connectClient, listen, until } from './fixtures/realtime.js'
import { build } from './helper.js'
import { act, fixedJob, hire, postJob, propose } from './marketplace.js'
import { balances, idem, makeOperator, verifyLedger } from './money.js'

t.setTimeout(180_000)

t.test('fixed-price work from terms to withdrawal, live', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  const base = await listen(ctx.app)
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Cleo')
  const freelancer = await ctx.register('Fred')

  // Job, proposal with a two-milestone plan, hire, accept.
  const job = await postJob(call, client.token, {
    ...fixedJob,
    proposalDeadline: new Date(clock.now().getTime() + 10 * DAY).toISOString(),
  })
  const due = new Date(clock.now().getTime() + 30 * DAY).toISOString().slice(0, 10)
  const proposal = await propose(call, freelancer.token, job.id, {
    coverLetter: 'Two steps.',
    bidAmount: 80_000,
    estimatedDays: 30,
    milestones: [
      { title: 'Design', amount: 30_000, dueDate: due },
      { title: 'Build', amount: 50_000, dueDate: due },
    ],
  })
  const contract = await hire(call, client.token, proposal.id)
  await act(call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)

  // The client watches the contract's live state.
  const live = await connectClient(base, `contract:${contract.id}:state`, client.token)
  t.teardown(() => live.destroy())
  await live.synced()
  const milestonesMap = live.doc.getMap<{ state: string; held: number; released: number }>('milestones')
  const invoicesMap = live.doc.getMap<{ state: string; total: number }>('invoices')

  // Terms bind: the milestones appear.
  const versions = `/api/v1/contracts/${contract.id}/terms/versions`
  const v1 = (await call({ method: 'POST', url: versions, token: client.token })).json()
  t.equal(
    (
      await call({
        method: 'POST',
        url: `${versions}/${v1.version}/accept`,
        token: freelancer.token,
        payload: { hash: v1.hash },
      })
    ).statusCode,
    200,
  )
  const listed = (
    await call({ method: 'GET', url: `/api/v1/contracts/${contract.id}/milestones`, token: client.token })
  ).json().items
  t.match(listed, [
    { title: 'Design', amount: 30_000, state: 'pending' },
    { title: 'Build', amount: 50_000, state: 'pending' },
  ])
  const [design, build2] = listed.map((m: { id: string }) => m.id) as [string, string]
  const shows = (id: string, state: string, extra: (v: { held: number; released: number }) => boolean = () => true) =>
    until(
      () => {
        const value = milestonesMap.get(id)
        return value?.state === state && extra(value)
      },
      5000,
      `${state} shown live`,
    )
  await shows(design, 'pending')
  t.pass('the live document shows the new milestones')

  // Deposit, confirmed by the operator; both milestones funded.
  const deposit = (
    await call({
      method: 'POST',
      url: '/api/v1/wallet/deposits',
      token: client.token,
      headers: idem(),
      payload: { amount: 80_000, currency: 'USD' },
    })
  ).json()
  await call({
    method: 'POST',
    url: `/api/v1/admin/deposits/${deposit.id}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  for (const id of [design, build2])
    t.equal(
      (await call({ method: 'POST', url: `/api/v1/milestones/${id}/fund`, token: client.token, headers: idem() }))
        .statusCode,
      200,
    )
  await shows(design, 'funded', (v) => v.held === 30_000)
  await shows(build2, 'funded')
  t.same(await balances(ctx, client), { available: 0, inEscrow: 80_000, earnings: 0, pendingWithdrawal: 0 })

  // Submission, change request, new submission.
  await call({
    method: 'POST',
    url: `/api/v1/milestones/${design}/submit`,
    token: freelancer.token,
    payload: { message: 'Mockups attached' },
  })
  await shows(design, 'submitted')
  await call({
    method: 'POST',
    url: `/api/v1/milestones/${design}/request-changes`,
    token: client.token,
    payload: { message: 'Warmer colours' },
  })
  await shows(design, 'changes_requested')
  await call({
    method: 'POST',
    url: `/api/v1/milestones/${design}/submit`,
    token: freelancer.token,
    payload: { message: 'Warmer now' },
  })
  await shows(design, 'submitted')

  // Partial release, then the rest.
  const partial = await call({
    method: 'POST',
    url: `/api/v1/milestones/${design}/approve`,
    token: client.token,
    headers: idem(),
    payload: { amount: 10_000 },
  })
  t.equal(partial.statusCode, 200)
  await shows(design, 'submitted', (v) => v.released === 10_000 && v.held === 20_000)
  t.pass('the partial release shows live')
  await call({ method: 'POST', url: `/api/v1/milestones/${design}/approve`, token: client.token, headers: idem() })
  await shows(design, 'released', (v) => v.held === 0)

  // The second milestone: submitted, and the client never answers.
  await call({
    method: 'POST',
    url: `/api/v1/milestones/${build2}/submit`,
    token: freelancer.token,
    payload: { message: 'Site is live' },
  })
  await shows(build2, 'submitted')
  clock.advance(14 * DAY + 1000)
  await ctx.app.scheduler.runDue()
  await shows(build2, 'released', (v) => v.released === 50_000)
  t.pass('auto-release shows live')

  // Invoices: one per release, all paid, numbered in sequence; shown live too.
  const invoices = (
    await call({ method: 'GET', url: `/api/v1/invoices?contractId=${contract.id}`, token: freelancer.token })
  ).json().items
  t.same(
    invoices.map((i: { total: number }) => i.total).sort((a: number, b: number) => a - b),
    [10_000, 20_000, 50_000],
  )
  t.same(invoices.map((i: { number: number }) => i.number).sort(), [1, 2, 3])
  t.ok(invoices.every((i: { state: string }) => i.state === 'paid'))
  await until(() => invoicesMap.size === 3, 5000, 'invoices shown live')
  const html = await call({ method: 'GET', url: `/api/v1/invoices/${invoices[0].id}/html`, token: client.token })
  t.match(html.body, /Invoice INV-00000/)

  // The freelancer withdraws the earnings; the operator pays out.
  const earned = (await balances(ctx, freelancer)).earnings
  t.equal(earned, 72_000, '80,000 less the 10% fee')
  const withdrawal = await call({
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload: { amount: earned, currency: 'USD', destination: 'IBAN DE00 1234' },
  })
  t.equal(withdrawal.statusCode, 201)
  await call({
    method: 'POST',
    url: `/api/v1/admin/withdrawals/${withdrawal.json().id}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  t.same(await balances(ctx, freelancer), { available: 0, inEscrow: 0, earnings: 0, pendingWithdrawal: 0 })
  const report = await verifyLedger(ctx, operator)
  t.equal(report.ok, true)
  t.match(report.currencies, [{ currency: 'USD', inside: 8_000 }], 'what stays inside is the platform fee')

  // The live document refuses client writes.
  live.doc.getMap('milestones').set(design, { state: 'pending' })
  await new Promise((resolve) => setTimeout(resolve, 200))
  const other = await connectClient(base, `contract:${contract.id}:state`, freelancer.token)
  t.teardown(() => other.destroy())
  await other.synced()
  t.equal(
    (other.doc.getMap('milestones').get(design) as { state: string }).state,
    'released',
    'a client write to the server document is dropped',
  )
})
