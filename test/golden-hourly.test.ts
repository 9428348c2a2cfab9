// The hourly golden path, walked through the HTTP API as its users walk it: the client posts
// an hourly job, the freelancer proposes a rate, the hire and the accept bind the rate, the
// operator's weekly limit and the manual-time flag (no terms round), the freelancer tracks
// three days with memos, activity and Work View screenshots while the open week shows its
// running amount, submits the week, the client approves, the formal invoice is paid, the
// earnings are withdrawn, the contract ends and both parties' feedback is revealed.
import sharp from 'sharp'
import t from 'tap'
import { clientRatings, freelancerRatings, leaveFeedback } from './fixtures/ended-contract.js'
import { activity, multipartForm } from './fixtures/hourly-contract.js'
import { planCaptures } from './fixtures/capture-plans.js'
import { build, type TestUser } from './helper.js'
import { act, expect, hire, hourlyJob, postJob, propose } from './marketplace.js'
import { depositConfirmed, idem, makeOperator, moneyOf, verifyLedger } from './money.js'

t.setTimeout(180_000)

const RATE = 4_500 // 45.00 USD an hour
const WEEK = '2026-W48'
const DAYS = ['2026-11-23', '2026-11-24', '2026-11-25'] // Monday to Wednesday

t.test('hourly, from the job post to both feedbacks', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  clock.set('2026-11-23T07:00:00Z')
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Hana')
  const freelancer = await ctx.register('Ivo')
  const get = (user: TestUser, url: string) => expect(call, 200, { method: 'GET', url, token: user.token })
  const money = () => moneyOf(ctx, { operator, client, freelancer })

  const job = await postJob(call, client.token, hourlyJob)
  const proposal = await propose(call, freelancer.token, job.id, {
    coverLetter: 'React is my daily work.',
    hourlyRate: RATE,
    estimatedDays: 60,
  })
  const offer = await hire(call, client.token, proposal.id)
  t.equal(offer.state, 'offered')
  const contract = await act(call, freelancer.token, `/api/v1/contracts/${offer.id}/accept`)
  t.match(
    contract,
    { state: 'active', boundTermsVersion: 1, hourlyRate: RATE, weeklyLimitMinutes: 40 * 60, manualTimeAllowed: false },
    'the accept binds the rate, the operator’s default weekly limit and no manual time',
  )
  const contractUrl = `/api/v1/contracts/${contract.id}`
  await depositConfirmed(ctx, client, operator, 100_000)
  t.same(
    await money(),
    { wallet: 100_000, escrow: 0, earnings: 0, withdrawing: 0, fees: 0, ledgerOk: true },
    'deposited',
  )

  // Each evening the tracker uploads the day: six segments 09:00-10:00, each with a memo,
  // activity and one screenshot; the open week's amount grows with them.
  const image = await sharp({ create: { width: 640, height: 400, channels: 3, background: '#305070' } })
    .png()
    .toBuffer()
  for (const [index, date] of DAYS.entries()) {
    clock.set(`${date}T18:00:00Z`)
    const starts = Array.from({ length: 6 }, (_, i) => `${date}T09:${String(i * 10).padStart(2, '0')}:00.000Z`)
    const uploaded = await expect(call, 200, {
      method: 'PUT',
      url: `${contractUrl}/segments`,
      token: freelancer.token,
      payload: {
        segments: starts.map((start) => ({ start, activity: activity(), memo: `Dashboard filters, day ${index + 1}` })),
      },
    })
    t.equal(uploaded.accepted.length, 6, `${date}: six segments`)
    for (const start of starts) {
      const capturedAt = new Date(Date.parse(start) + 4 * 60_000).toISOString()
      await planCaptures(ctx, contract.id, { [start]: [capturedAt] })
      await expect(call, 201, {
        method: 'POST',
        url: `${contractUrl}/screenshots`,
        token: freelancer.token,
        ...multipartForm(
          { segmentStart: start, capturedAt },
          { filename: 'screen.png', contentType: 'image/png', content: image },
        ),
      })
    }
    const [open] = (await get(client, `${contractUrl}/timesheets`)).items
    t.match(
      open,
      { week: WEEK, state: 'open', amount: (index + 1) * RATE, totals: { billableMinutes: (index + 1) * 60 } },
      `the open week shows ${(index + 1) * RATE} running`,
    )
  }
  const week = await get(client, `${contractUrl}/segments?week=${WEEK}`)
  t.match(week.totals, { totalMinutes: 180, billableMinutes: 180, manualMinutes: 0 })
  t.ok(
    week.segments.every(
      (s: { protected: boolean; screenshots: unknown[]; memo: string }) =>
        s.protected && s.screenshots.length === 1 && s.memo,
    ),
    'every segment is protected: tracked, memo, screenshot, activity',
  )
  t.same(
    await money(),
    { wallet: 100_000, escrow: 0, earnings: 0, withdrawing: 0, fees: 0, ledgerOk: true },
    'tracking moves no money',
  )

  // Saturday: the freelancer submits the week; a draft invoice goes to the client.
  clock.set('2026-11-28T10:00:00Z')
  const submitted = await expect(call, 200, {
    method: 'POST',
    url: `/api/v1/timesheets/${week.timesheet.id}/submit`,
    token: freelancer.token,
    payload: { notes: 'Filters done; charts next week.' },
  })
  t.match(submitted, { state: 'submitted', submittedBy: 'freelancer', amount: 3 * RATE })
  const draft = await get(client, `/api/v1/invoices/${submitted.invoiceIds[0]}`)
  t.match(draft, { state: 'draft', number: null, total: 3 * RATE, periodStart: '2026-11-23', periodEnd: '2026-11-29' })

  // The client approves: the invoice becomes formal, numbered and paid from the wallet.
  const approved = await expect(call, 200, {
    method: 'POST',
    url: `/api/v1/timesheets/${week.timesheet.id}/approve`,
    token: client.token,
    headers: idem(),
  })
  t.match(approved, { state: 'approved', approvedBy: 'client', approvedMinutes: 180 })
  const invoice = await get(freelancer, `/api/v1/invoices/${approved.invoiceIds[0]}`)
  const fee = 1_350 // 10 % of 13,500
  t.match(invoice, { state: 'paid', number: 1, total: 3 * RATE, feeAmount: fee, freelancerNet: 3 * RATE - fee })
  t.same(
    await money(),
    { wallet: 100_000 - 3 * RATE, escrow: 0, earnings: 3 * RATE - fee, withdrawing: 0, fees: fee, ledgerOk: true },
    'paid',
  )

  // The freelancer withdraws the earnings; the operator pays them out.
  const withdrawal = await expect(call, 201, {
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: freelancer.token,
    headers: idem(),
    payload: { amount: 3 * RATE - fee, currency: 'USD', destination: 'IBAN DE00 1234 5678' },
  })
  await expect(call, 200, {
    method: 'POST',
    url: `/api/v1/admin/withdrawals/${withdrawal.id}/confirm`,
    token: operator.token,
    headers: idem(),
  })
  t.same(
    await money(),
    { wallet: 100_000 - 3 * RATE, escrow: 0, earnings: 0, withdrawing: 0, fees: fee, ledgerOk: true },
    'withdrawn',
  )

  // The client ends the contract; both rate each other and the feedback is revealed.
  t.match(await act(call, client.token, `${contractUrl}/end`), { state: 'ended' })
  await leaveFeedback(ctx, contract.id, freelancer, clientRatings([5, 4, 5]), 'Quick approvals.')
  t.same((await get(client, `${contractUrl}/feedback`)).items, [], 'hidden from the client until they rate too')
  await leaveFeedback(ctx, contract.id, client, freelancerRatings([5, 5, 5, 4, 5, 4]), 'Careful and fast.')
  const revealed = await get(freelancer, `${contractUrl}/feedback`)
  t.ok(revealed.window.revealedAt, 'revealed once both left theirs')
  t.same(revealed.items.map((f: { comment: string; revealed: boolean }) => [f.comment, f.revealed]).sort(), [
    ['Careful and fast.', true],
    ['Quick approvals.', true],
  ])
  t.equal((await get(client, `${contractUrl}/terms/versions`)).items.length, 1, 'the whole path on terms version 1')
  t.match(await verifyLedger(ctx, operator), { ok: true, holdsOnEndedContracts: 0 }, 'the ledger balances')
})
