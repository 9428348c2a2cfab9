// The fixed-price golden path, walked through the HTTP API as its users walk it: the client
// posts a job, the freelancer proposes a plan without due dates, the hire and the accept bind
// it (no terms round), the first milestone is funded at once, changes are asked for, part is
// released, the rest releases itself after the operator's window, the next milestone is paid,
// the contract ends with the last one never funded, the earnings are withdrawn and both
// parties' feedback is revealed. Money is checked at every step, the ledger at the end.
import t from 'tap'
import { clientRatings, freelancerRatings, leaveFeedback } from './fixtures/ended-contract.js'
import { listen, openEvents } from './fixtures/websocket.js'
import { build, type TestUser } from './helper.js'
import { act, expect, fixedJob, hire, postJob, propose } from './marketplace.js'
import { depositConfirmed, idem, makeOperator, moneyOf, verifyLedger } from './money.js'

t.setTimeout(180_000)

const AUTO_RELEASE_DAYS = 10
const FEE_BPS = 800
const fee = (gross: number) => (gross * FEE_BPS) / 10_000

t.test('fixed price, from the job post to both feedbacks', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Cleo')
  const freelancer = await ctx.register('Fred')
  const get = (user: TestUser, url: string) => expect(call, 200, { method: 'GET', url, token: user.token })
  const post = (user: TestUser, url: string, payload: Record<string, unknown> = {}, movesMoney = false) =>
    expect(call, 200, { method: 'POST', url, token: user.token, payload, headers: movesMoney ? idem() : {} })

  const money = () => moneyOf(ctx, { operator, client, freelancer })
  // Each party's event stream, as their open wallet page has it.
  const base = await listen(ctx.app)
  const streamOf = async (user: TestUser) => {
    const stream = await openEvents(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${user.token}` } })
    t.teardown(() => stream.socket.close())
    return stream
  }
  const [clientEvents, freelancerEvents] = [await streamOf(client), await streamOf(freelancer)]

  // The operator runs this instance with a 10-day auto-release window and an 8 % fee.
  await expect(call, 200, {
    method: 'PATCH',
    url: '/api/v1/admin/settings',
    token: operator.token,
    payload: { autoReleaseDays: AUTO_RELEASE_DAYS, platformFeeBps: FEE_BPS },
  })

  const job = await postJob(call, client.token, { ...fixedJob, title: 'Bakery website' })
  t.equal(job.state, 'open', 'the job is posted and open')
  const proposal = await propose(call, freelancer.token, job.id, {
    coverLetter: 'Three steps, each reviewed.',
    bidAmount: 80_000,
    estimatedDays: 30,
    milestones: [
      { title: 'Design', amount: 30_000 },
      { title: 'Build', amount: 40_000 },
      { title: 'Launch', amount: 10_000 },
    ],
  })
  const offer = await hire(call, client.token, proposal.id)
  t.equal(offer.state, 'offered')
  const contract = await act(call, freelancer.token, `/api/v1/contracts/${offer.id}/accept`)
  t.match(contract, { state: 'active', boundTermsVersion: 1, price: 80_000 }, 'the accept binds the proposal’s plan')
  const contractUrl = `/api/v1/contracts/${contract.id}`
  const planned = (await get(client, `${contractUrl}/milestones`)).items
  t.match(planned, [
    { title: 'Design', amount: 30_000, dueDate: null, state: 'pending' },
    { title: 'Build', amount: 40_000, dueDate: null, state: 'pending' },
    { title: 'Launch', amount: 10_000, dueDate: null, state: 'pending' },
  ])
  const [design, build2, launch] = planned.map((m: { id: string }) => `/api/v1/milestones/${m.id}`) as [
    string,
    string,
    string,
  ]

  await depositConfirmed(ctx, client, operator, 70_000)
  const confirmed = await clientEvents.next((frame) => frame.type === 'deposit.confirmed', 3000)
  t.match(confirmed.data, { amount: 70_000, state: 'confirmed' }, 'the client hears the operator’s confirmation')
  t.same(
    await money(),
    { wallet: 70_000, escrow: 0, earnings: 0, withdrawing: 0, fees: 0, ledgerOk: true },
    'deposited',
  )

  // Design: funded right after the accept, submitted, sent back, submitted again.
  t.match(
    await post(client, `${design}/fund`, {}, true),
    { state: 'funded', held: 30_000 },
    'funded with no terms round',
  )
  t.same(
    await money(),
    { wallet: 40_000, escrow: 30_000, earnings: 0, withdrawing: 0, fees: 0, ledgerOk: true },
    'funded',
  )
  await post(freelancer, `${design}/submit`, { message: 'Three mockups attached' })
  t.match(await post(client, `${design}/request-changes`, { message: 'Warmer colours, please' }), {
    state: 'changes_requested',
    autoReleaseAt: null,
  })
  clock.advance(2 * 86_400_000)
  const resubmitted = await post(freelancer, `${design}/submit`, { message: 'Warmer now' })
  const autoReleaseAt = Date.parse(resubmitted.autoReleaseAt)
  t.equal(
    autoReleaseAt,
    clock.now().getTime() + AUTO_RELEASE_DAYS * 86_400_000,
    'auto-release follows the operator’s window',
  )

  // The client releases a third now; the rest waits in escrow.
  const partial = await post(client, `${design}/approve`, { amount: 10_000 }, true)
  t.match(partial, { state: 'submitted', released: 10_000, held: 20_000 }, 'a partial release')
  t.same(await money(), {
    wallet: 40_000,
    escrow: 20_000,
    earnings: 10_000 - fee(10_000),
    withdrawing: 0,
    fees: fee(10_000),
    ledgerOk: true,
  })

  // The client says nothing more: the window passes and the rest is released.
  clock.set(new Date(autoReleaseAt - 1000))
  await ctx.app.scheduler.runDue()
  t.match(
    (await get(client, `${contractUrl}/milestones`)).items[0],
    { state: 'submitted', held: 20_000 },
    'not before the window ends',
  )
  clock.set(new Date(autoReleaseAt))
  await ctx.app.scheduler.runDue()
  t.match(
    (await get(client, `${contractUrl}/milestones`)).items[0],
    { state: 'released', held: 0, released: 30_000 },
    'auto-released',
  )
  t.same(await money(), {
    wallet: 40_000,
    escrow: 0,
    earnings: 30_000 - fee(30_000),
    withdrawing: 0,
    fees: fee(30_000),
    ledgerOk: true,
  })

  // Build: funded, submitted, approved in full.
  await post(client, `${build2}/fund`, {}, true)
  t.same(await money(), {
    wallet: 0,
    escrow: 40_000,
    earnings: 30_000 - fee(30_000),
    withdrawing: 0,
    fees: fee(30_000),
    ledgerOk: true,
  })
  await post(freelancer, `${build2}/submit`, { message: 'Site is live on staging' })
  t.match(await post(client, `${build2}/approve`, {}, true), { state: 'released', released: 40_000 })
  t.same(await money(), {
    wallet: 0,
    escrow: 0,
    earnings: 70_000 - fee(70_000),
    withdrawing: 0,
    fees: fee(70_000),
    ledgerOk: true,
  })

  const invoices = (await get(freelancer, `/api/v1/invoices?contractId=${contract.id}`)).items
  t.same(
    invoices
      .map((i: { total: number; state: string }) => [i.state, i.total])
      .sort((a: [string, number], b: [string, number]) => a[1] - b[1]),
    [
      ['paid', 10_000],
      ['paid', 20_000],
      ['paid', 40_000],
    ],
    'one paid invoice per release',
  )

  // Launch is never funded: the client ends the contract, which ends at once with nothing held.
  const ended = await post(client, `${contractUrl}/end`)
  t.equal(ended.state, 'ended', 'no hold, no ending period')
  t.match(
    (await get(freelancer, `${contractUrl}/milestones`)).items[2],
    { state: 'pending', held: 0 },
    'Launch was never funded',
  )
  t.equal(
    (await call({ method: 'POST', url: `${launch}/fund`, token: client.token, headers: idem() })).statusCode,
    409,
    'an ended contract takes no money',
  )

  // The freelancer withdraws everything; the operator pays it out.
  const earned = (await money()).earnings
  const withdrawal = await expect(call, 201, {
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload: { amount: earned, currency: 'USD', destination: 'IBAN DE00 1234 5678' },
  })
  t.same(
    await money(),
    { wallet: 0, escrow: 0, earnings: 0, withdrawing: earned, fees: fee(70_000), ledgerOk: true },
    'asked',
  )
  await expect(call, 200, {
    method: 'POST',
    url: `/api/v1/admin/withdrawals/${withdrawal.id}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  const paid = await freelancerEvents.next((frame) => frame.type === 'withdrawal.paid', 3000)
  t.match(paid.data, { id: withdrawal.id, amount: earned, state: 'paid' }, 'the freelancer hears it was paid out')
  t.same(
    await money(),
    { wallet: 0, escrow: 0, earnings: 0, withdrawing: 0, fees: fee(70_000), ledgerOk: true },
    'paid out',
  )

  // Double-blind feedback: hidden until both have left theirs.
  await leaveFeedback(ctx, contract.id, client, freelancerRatings([5, 5, 4, 5, 4, 4]), 'Lovely site, on time.')
  const before = await get(freelancer, `${contractUrl}/feedback`)
  t.same(before.items, [], 'the freelancer does not see the client’s feedback yet')
  t.equal(before.window.revealedAt, null)
  await leaveFeedback(ctx, contract.id, freelancer, clientRatings([5, 5, 5]), 'Clear brief, quick payment.')
  const after = await get(client, `${contractUrl}/feedback`)
  t.ok(after.window.revealedAt, 'revealed once both left theirs')
  t.same(after.items.map((f: { comment: string; revealed: boolean }) => [f.comment, f.revealed]).sort(), [
    ['Clear brief, quick payment.', true],
    ['Lovely site, on time.', true],
  ])
  t.equal((await get(client, `${contractUrl}/terms/versions`)).items.length, 1, 'the whole path on terms version 1')

  const report = await verifyLedger(ctx, operator)
  t.match(
    report,
    {
      ok: true,
      holdsOnEndedContracts: 0,
      currencies: [{ currency: 'USD', balanceSum: 0, entrySum: 0, inside: fee(70_000) }],
    },
    'the ledger balances',
  )
})
