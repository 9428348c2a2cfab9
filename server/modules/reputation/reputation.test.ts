// Reputation by the open formula: a world of contracts with money, disputes and feedback is
// built through the API; then every figure of every profile is recomputed here, straight from
// the raw rows, with the formula of docs/reputation.md, and must equal the endpoint's exactly.
// The freelancer search then has to order by the same scores.
import t from 'tap'
import {
  contractsTable,
  disputesTable,
  feedbackTable,
  feedbackWindowsTable,
  invoicesTable,
  jobsTable,
  milestonesTable,
  milestoneSubmissionsTable,
  timesheetDisputesTable,
} from '../../../db/schema/index.js'
import {
  bindTerms,
  clientRatings,
  endContract,
  freelancerRatings,
  leaveFeedback,
  payMilestone,
  startedContract,
} from '../../../test/fixtures/ended-contract.js'
import { build, type TestApp, type TestUser } from '../../../test/helper.js'
import { fixedJob, postJob } from '../../../test/marketplace.js'
import { depositConfirmed, idem, makeOperator } from '../../../test/money.js'
import { DAY } from '../../clock.js'

t.setTimeout(300_000)

const rhu = (a: bigint, b: bigint): bigint => (2n * a + b) / (2n * b)

/** Every reputation figure of `userId`, from the raw tables, by docs/reputation.md. */
async function recompute(ctx: TestApp, userId: string) {
  const db = ctx.app.db
  const [feedback, windows, contracts, invoices, milestones, disputes, sheetDisputes, jobs, submissions] = [
    await db.select().from(feedbackTable),
    await db.select().from(feedbackWindowsTable),
    await db.select().from(contractsTable),
    await db.select().from(invoicesTable),
    await db.select().from(milestonesTable),
    await db.select().from(disputesTable),
    await db.select().from(timesheetDisputesTable),
    await db.select().from(jobsTable),
    await db.select().from(milestoneSubmissionsTable),
  ]
  const now = ctx.clock.now().getTime()
  const since = now - ctx.config.reputationWindowDays * DAY
  const contractOf = (id: string) => contracts.find((c) => c.id === id)!
  const paid = (contractId: string) =>
    invoices
      .filter((i) => i.contractId === contractId && i.kind === 'invoice' && i.state === 'paid')
      .reduce((sum, i) => sum + i.total, 0n)
  const totals = (rows: typeof invoices) => {
    const sums = new Map<string, bigint>()
    for (const i of rows.filter((i) => i.kind === 'invoice' && i.state === 'paid'))
      sums.set(i.currency, (sums.get(i.currency) ?? 0n) + i.total)
    return [...sums]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amount]) => ({ currency, amount: Number(amount) }))
  }
  const percent = (part: number, whole: number) =>
    whole > 0 ? Number(rhu(BigInt(part) * 10_000n, BigInt(whole))) / 100 : null

  const rating = (role: 'freelancer' | 'client') => {
    const inputs = feedback
      .filter((f) => f.subjectId === userId && f.subjectRole === role)
      .map((f) => ({ f, w: windows.find((w) => w.contractId === f.contractId)! }))
      .filter(({ w }) => w.openedAt.getTime() >= since && (w.revealedAt !== null || w.closesAt.getTime() <= now))
      .map(({ f, w }) => ({
        contractId: f.contractId,
        endedAt: w.openedAt.toISOString(),
        currency: contractOf(f.contractId).currency,
        amount: paid(f.contractId),
        score: f.score,
      }))
    const currencies = [...new Set(inputs.map((i) => i.currency))].sort()
    const byCurrency = currencies.map((currency) => {
      const group = inputs.filter((i) => i.currency === currency)
      const W = group.reduce((s, i) => s + i.amount, 0n)
      const P = group.reduce((s, i) => s + i.amount * BigInt(i.score), 0n)
      const n = group.filter((i) => i.amount > 0n).length
      return { currency, contracts: n, amount: Number(W), average: W > 0n ? Number(rhu(P, W)) : null }
    })
    const weighted = byCurrency.filter((c) => c.average !== null)
    const N = weighted.reduce((s, c) => s + c.contracts, 0)
    const score =
      N > 0 ? Number(rhu(BigInt(weighted.reduce((s, c) => s + c.contracts * c.average!, 0)), BigInt(N))) / 100 : null
    return {
      score,
      windowStart: new Date(since).toISOString(),
      byCurrency: byCurrency.map((c) => ({ ...c, average: c.average === null ? null : c.average / 100 })),
      inputs: inputs
        .map((i) => ({ ...i, amount: Number(i.amount), score: i.score / 100 }))
        .sort((a, b) => b.endedAt.localeCompare(a.endedAt) || a.contractId.localeCompare(b.contractId)),
    }
  }

  const mine = milestones.filter((m) => contractOf(m.contractId).freelancerId === userId)
  const finished = mine.filter((m) => m.state === 'released' || m.state === 'refunded').length
  const clean = mine.filter((m) => m.state === 'released' && !disputes.some((d) => d.milestoneId === m.id)).length
  const posted = jobs.filter((j) => j.clientId === userId && j.publishedAt !== null)
  const hired = posted.filter((j) => contracts.some((c) => c.jobId === j.id && c.acceptedAt !== null))
  const approvals = submissions.filter(
    (s) =>
      (s.outcome === 'approved' || s.outcome === 'auto_released') &&
      s.reviewedAt &&
      contractOf(milestones.find((m) => m.id === s.milestoneId)!.contractId).clientId === userId,
  )
  const waited = approvals.reduce((sum, s) => sum + BigInt(s.reviewedAt!.getTime() - s.createdAt.getTime()), 0n)
  const clientDisputes = disputes.filter((d) => contractOf(d.contractId).clientId === userId && d.state === 'resolved')
  const clientSheetDisputes = sheetDisputes.filter(
    (d) => contractOf(d.contractId).clientId === userId && d.state === 'resolved',
  )
  return {
    windowDays: ctx.config.reputationWindowDays,
    freelancer: {
      rating: rating('freelancer'),
      contracts: contracts.filter((c) => c.freelancerId === userId && c.acceptedAt !== null).length,
      completedContracts: contracts.filter(
        (c) => c.freelancerId === userId && c.acceptedAt !== null && c.state === 'ended',
      ).length,
      totalEarned: totals(invoices.filter((i) => i.freelancerId === userId)),
      milestones: { finished, releasedWithoutDispute: clean, sharePercent: percent(clean, finished) },
    },
    client: {
      rating: rating('client'),
      completedContracts: contracts.filter((c) => c.clientId === userId && c.acceptedAt !== null && c.state === 'ended')
        .length,
      jobsPosted: posted.length,
      jobsWithHire: hired.length,
      hireRatePercent: percent(hired.length, posted.length),
      totalSpent: totals(invoices.filter((i) => i.clientId === userId)),
      approvals: {
        count: approvals.length,
        averageDays: approvals.length ? Number(rhu(waited * 100n, BigInt(approvals.length * DAY))) / 100 : null,
      },
      disputes: {
        resolved: clientDisputes.length + clientSheetDisputes.length,
        lost:
          clientDisputes.filter(
            (d) => (d.resolution === 'decided' || d.resolution === 'lapsed') && d.freelancerAmount! * 2n > d.heldAmount,
          ).length +
          clientSheetDisputes.filter((d) => d.resolvedBy === 'operator' && d.resolvedMinutes! * 2 > d.disputedMinutes)
            .length,
      },
    },
  }
}

t.test('every reputation figure equals its recomputation from the raw rows; the search orders by it', async (t) => {
  const ctx = await build(t, { env: { SESSION_TTL_DAYS: '3650' } })
  const { call, clock, app } = ctx
  const operator = await makeOperator(ctx)
  const [cleo, dana, fred, gina, hugo, ivan] = [
    await ctx.register('Cleo'),
    await ctx.register('Dana'),
    await ctx.register('Fred'),
    await ctx.register('Gina'),
    await ctx.register('Hugo'),
    await ctx.register('Ivan'),
  ]
  const profile = (user: TestUser, body: Record<string, unknown>) =>
    call({ method: 'PATCH', url: '/api/v1/me', token: user.token, payload: body })
  await profile(fred, {
    headline: 'TypeScript wizard',
    bio: 'Web apps and landing pages.',
    skills: ['typescript', 'css'],
    hourlyRate: 6_000,
  })
  await profile(gina, {
    headline: 'Systems engineer',
    bio: 'Rust services, some TypeScript.',
    skills: ['rust', 'typescript'],
    hourlyRate: 9_000,
  })
  await profile(hugo, { headline: 'Junior designer', skills: ['figma', 'css'], hourlyRate: 3_000 })
  await profile(ivan, { headline: 'Writer', skills: ['copywriting'] })
  const pay = (
    milestoneId: string,
    client: TestUser,
    freelancer: TestUser,
    amount: number,
    waitMs = 0,
    currency = 'USD',
  ) => payMilestone(ctx, { milestoneId, client, freelancer, operator, amount, currency, waitMs })

  // An old contract: Cleo rates Fred 1.00, and then 731 days pass, so it leaves the window.
  const old = await startedContract(ctx, { client: cleo, freelancer: fred, bidAmount: 10_000 })
  await pay((await bindTerms(ctx, old.contractId, cleo, fred))[0]!, cleo, fred, 10_000)
  await endContract(ctx, old.contractId, cleo)
  await leaveFeedback(ctx, old.contractId, cleo, freelancerRatings([1, 1, 1, 1, 1, 1]))
  await leaveFeedback(ctx, old.contractId, fred, clientRatings([1, 1, 1]))
  clock.advance(731 * DAY)

  // A: Cleo pays Fred 800.00 USD (approved 3 days after submission); both rate.
  const a = await startedContract(ctx, { client: cleo, freelancer: fred, bidAmount: 80_000 })
  await pay((await bindTerms(ctx, a.contractId, cleo, fred))[0]!, cleo, fred, 80_000, 3 * DAY)
  await endContract(ctx, a.contractId, fred)
  await leaveFeedback(ctx, a.contractId, cleo, freelancerRatings([5, 4, 4, 5, 3, 4])) // 4.35
  await leaveFeedback(ctx, a.contractId, fred, clientRatings([4, 5, 5])) // 4.67

  // B: Dana hires Fred in EUR; Dana disputes the submission, an operator gives Fred 400.00 of 500.00.
  const b = await startedContract(ctx, { client: dana, freelancer: fred, bidAmount: 50_000, currency: 'EUR' })
  const [bm] = await bindTerms(ctx, b.contractId, dana, fred)
  await depositConfirmed(ctx, dana, operator, 50_000, 'EUR')
  await call({ method: 'POST', url: `/api/v1/milestones/${bm}/fund`, token: dana.token, headers: idem() })
  await call({
    method: 'POST',
    url: `/api/v1/milestones/${bm}/submit`,
    token: fred.token,
    payload: { message: 'Done' },
  })
  const dispute = (
    await call({
      method: 'POST',
      url: `/api/v1/milestones/${bm}/disputes`,
      token: dana.token,
      payload: { reason: 'Not what I asked' },
    })
  ).json()
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/disputes/${dispute.id}/escalate`,
        token: fred.token,
        headers: idem(),
        payload: { message: 'Please decide' },
      })
    ).statusCode,
    200,
  )
  const decided = await call({
    method: 'POST',
    url: `/api/v1/admin/disputes/${dispute.id}/decide`,
    token: operator.token,
    headers: idem(),
    payload: { freelancerAmount: 40_000, note: 'Mostly delivered' },
  })
  t.equal(decided.statusCode, 200)
  await endContract(ctx, b.contractId, dana)
  await leaveFeedback(ctx, b.contractId, dana, freelancerRatings([3, 3, 3, 3, 3, 3])) // 3.00, one-sided

  // Z: Cleo and Fred, nothing paid: their 1.00s are public but weigh 0.
  const z = await startedContract(ctx, { client: cleo, freelancer: fred, bidAmount: 20_000 })
  await endContract(ctx, z.contractId, cleo)
  await leaveFeedback(ctx, z.contractId, cleo, freelancerRatings([1, 1, 1, 1, 1, 1]))
  await leaveFeedback(ctx, z.contractId, fred, clientRatings([1, 1, 1]))

  // G: Cleo pays Gina 300.00 (approved a day after submission), rates her 5.00.
  const g = await startedContract(ctx, { client: cleo, freelancer: gina, bidAmount: 30_000 })
  await pay((await bindTerms(ctx, g.contractId, cleo, gina))[0]!, cleo, gina, 30_000, DAY)
  await endContract(ctx, g.contractId, gina)
  await leaveFeedback(ctx, g.contractId, cleo, freelancerRatings([5, 5, 5, 5, 5, 5]))

  // One more job of Cleo's without a hire, and a draft (which does not count).
  await postJob(call, cleo.token, fixedJob)
  await postJob(call, cleo.token, fixedJob, { publish: false })

  const before = (await call({ method: 'GET', url: `/api/v1/users/${fred.id}` })).json().reputation
  t.same(
    before.freelancer.rating.inputs.map((i: { contractId: string }) => i.contractId).sort(),
    [a.contractId, z.contractId].sort(),
    "Dana's unrevealed feedback does not count yet",
  )
  clock.advance(14 * DAY)
  await app.scheduler.runDue()

  for (const user of [cleo, dana, fred, gina, hugo, ivan]) {
    const response = await call({ method: 'GET', url: `/api/v1/users/${user.id}` })
    t.equal(response.statusCode, 200)
    const { formula, formulaVersion, computedAt, ...figures } = response.json().reputation
    t.same(
      { formula, formulaVersion, computedAt },
      { formula: 'docs/reputation.md', formulaVersion: 1, computedAt: clock.now().toISOString() },
    )
    t.same(figures, await recompute(ctx, user.id), `${user.name}: the endpoint's figures are the formula's, exactly`)
  }

  // The same numbers, worked by hand: (USD 4.35 weighted alone, as Z paid nothing) and EUR 3.00, one paid contract each -> 3.675 -> 3.68.
  const fredRep = (await call({ method: 'GET', url: `/api/v1/users/${fred.id}` })).json().reputation
  t.equal(fredRep.freelancer.rating.score, 3.68)
  t.same(fredRep.freelancer.rating.byCurrency, [
    { currency: 'EUR', contracts: 1, amount: 40_000, average: 3 },
    { currency: 'USD', contracts: 1, amount: 80_000, average: 4.35 },
  ])
  t.equal(fredRep.freelancer.rating.inputs.length, 3, 'the old contract left the window')
  t.same(fredRep.freelancer.totalEarned, [
    { currency: 'EUR', amount: 40_000 },
    { currency: 'USD', amount: 90_000 },
  ])
  t.match(fredRep.freelancer, {
    contracts: 4,
    milestones: { finished: 3, releasedWithoutDispute: 2, sharePercent: 66.67 },
  })
  const cleoRep = (await call({ method: 'GET', url: `/api/v1/users/${cleo.id}` })).json().reputation
  t.match(cleoRep.client, {
    rating: { score: 4.67 },
    jobsPosted: 5,
    jobsWithHire: 4,
    hireRatePercent: 80,
    approvals: { count: 3, averageDays: 1.33 },
    disputes: { resolved: 0, lost: 0 },
  })
  const danaRep = (await call({ method: 'GET', url: `/api/v1/users/${dana.id}` })).json().reputation
  t.match(danaRep.client, { disputes: { resolved: 1, lost: 1 }, totalSpent: [{ currency: 'EUR', amount: 40_000 }] })

  // Search: by reputation (unrated last), by rate, by words and skills, page by page.
  const search = async (query: string) => {
    const response = await call({ method: 'GET', url: `/api/v1/freelancers${query}` })
    t.equal(response.statusCode, 200, query)
    return response.json()
  }
  const names = (page: { items: Array<{ name: string }> }) => page.items.map((i) => i.name)
  const byReputation = await search('')
  t.same(names(byReputation).slice(0, 2), ['Gina', 'Fred'], 'highest score first')
  t.same(
    names(byReputation).slice(2).sort(),
    ['Hugo', 'Ivan'],
    'then the unrated; clients without a freelancer profile are not listed',
  )
  t.match(byReputation.items[1], {
    id: fred.id,
    score: 3.68,
    ratedContracts: 2,
    hourlyRate: 6_000,
    skills: ['typescript', 'css'],
  })
  t.same(names(await search('?sort=rate')), ['Hugo', 'Fred', 'Gina', 'Ivan'], 'lowest rate first, no rate last')
  t.same(names(await search('?q=typescript')).sort(), ['Fred', 'Gina'], 'words in the headline or bio')
  t.same(names(await search('?q=landing%20pages')), ['Fred'])
  t.same(names(await search('?skills=css')), ['Fred', 'Hugo'])
  t.same(names(await search('?skills=css,typescript')), ['Fred'])
  t.same(names(await search('?skills=rust&skills=typescript&sort=rate')), ['Gina'])
  t.same(names(await search('?q=nobody')), [])
  for (const sort of ['reputation', 'rate']) {
    const all = names(await search(`?sort=${sort}`))
    const walked: string[] = []
    let cursor: string | null = null
    do {
      const page = await search(`?sort=${sort}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      walked.push(...names(page))
      cursor = page.nextCursor
    } while (cursor)
    t.same(walked, all, `pages of one walk the whole ${sort} order once`)
  }
  const badCursor = await call({ method: 'GET', url: '/api/v1/freelancers?cursor=bm9wZQ' })
  t.equal(badCursor.statusCode, 400)
  const foreign = (await search('?sort=rate&limit=1')).nextCursor
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/freelancers?sort=reputation&cursor=${foreign}` })).statusCode,
    400,
    'a rate cursor is not a reputation cursor',
  )
})
