// Hourly weeks: a submitted timesheet asks the client to review it, an approval and a
// dispute tell the freelancer, and the deadlines (auto-submit, auto-approve) notify too,
// with the client's invoice; refused steps notify nobody.
import t from 'tap'
import type { TestUser } from './helper.js'
import { build, type TestApp } from './helper.js'
import { activity } from './fixtures/hourly-contract.js'
import { expect, hire, hourlyJob, postJob, propose } from './marketplace.js'
import { depositConfirmed, idem, makeOperator } from './money.js'
import { watchInboxes } from './notices.js'

t.setTimeout(180_000)

/** One hour of tracked work on `day` (09:00-10:00 UTC); returns that week's timesheet id. */
async function hourOfWork(ctx: TestApp, contractId: string, freelancer: TestUser, day: string): Promise<string> {
  const segments = Array.from({ length: 6 }, (_, i) => ({
    start: new Date(Date.parse(`${day}T09:00:00Z`) + i * 600_000).toISOString(),
    activity: activity(),
    memo: 'Dashboard fixes',
  }))
  await expect(ctx.call, 200, {
    method: 'PUT',
    url: `/api/v1/contracts/${contractId}/segments`,
    token: freelancer.token,
    payload: { segments },
  })
  const sheets = await expect(ctx.call, 200, {
    method: 'GET',
    url: `/api/v1/contracts/${contractId}/timesheets`,
    token: freelancer.token,
  })
  return sheets.items.find((s: { weekStart: string; id: string }) => s.weekStart.startsWith(day)).id
}

t.test('timesheet steps and deadlines notify the party who acts next', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  clock.set('2026-11-20T08:00:00Z')
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Cleo')
  const fred = await ctx.register('Fred')
  const inbox = watchInboxes(t, ctx)

  const job = await postJob(call, client.token, hourlyJob)
  const proposal = await propose(call, fred.token, job.id, {
    coverLetter: 'Happy to help.',
    hourlyRate: 6000,
    estimatedDays: 30,
  })
  const contract = await hire(call, client.token, proposal.id)
  await expect(call, 200, { method: 'POST', url: `/api/v1/contracts/${contract.id}/accept`, token: fred.token })
  await depositConfirmed(ctx, client, operator, 100_000)
  const timesheetsPage = `/contracts/${contract.id}/timesheets`
  const post = (user: TestUser, url: string, payload: object, money: boolean) =>
    call({ method: 'POST', url, token: user.token, ...(money ? { headers: idem() } : {}), payload })

  // Week 48: submitted by the freelancer, approved by the client.
  clock.set('2026-11-23T18:00:00Z')
  const first = await hourOfWork(ctx, contract.id, fred, '2026-11-23')
  await inbox.settle(operator, client, fred)
  t.equal((await post(client, `/api/v1/timesheets/${first}/submit`, {}, false)).statusCode, 403)
  for (const user of [client, fred]) await inbox.nothingFor(user, 'the client cannot submit')
  t.equal((await post(fred, `/api/v1/timesheets/${first}/submit`, {}, false)).statusCode, 200)
  const toReview = await inbox.news(client)
  t.match(toReview, {
    items: [
      {
        type: 'timesheet.to_review',
        title:
          'Fred submitted the timesheet for 2026-W48 on “Ongoing React help”: 1 h, $60.00; approve or dispute it by 5 Dec 2026, 00:00 UTC',
        link: timesheetsPage,
        subject: { kind: 'timesheet', id: first },
        contractId: contract.id,
      },
    ],
  })
  t.equal(toReview.items.length, 1)
  await inbox.nothingFor(fred, 'he submitted')
  t.equal((await post(fred, `/api/v1/timesheets/${first}/approve`, {}, true)).statusCode, 403)
  for (const user of [client, fred]) await inbox.nothingFor(user, 'the freelancer cannot approve')
  t.equal((await post(client, `/api/v1/timesheets/${first}/approve`, {}, true)).statusCode, 200)
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'timesheet.approved',
        title: 'Cleo approved your timesheet for 2026-W48 on “Ongoing React help”: $60.00 paid',
        link: timesheetsPage,
        data: { payment: 'paid' },
      },
    ],
  })
  await inbox.nothingFor(client, 'she approved')

  // Week 49: the client disputes part of it; the freelancer is asked to answer.
  clock.set('2026-11-30T18:00:00Z')
  const second = await hourOfWork(ctx, contract.id, fred, '2026-11-30')
  await post(fred, `/api/v1/timesheets/${second}/submit`, {}, false)
  await inbox.settle(client, fred)
  t.equal(
    (await post(client, `/api/v1/timesheets/${second}/dispute`, { minutes: 90, reason: 'Too many' }, true)).statusCode,
    400,
    'more minutes than billed is refused',
  )
  for (const user of [client, fred]) await inbox.nothingFor(user, 'a refused dispute')
  const disputed = await post(client, `/api/v1/timesheets/${second}/dispute`, { minutes: 20, reason: 'A call' }, true)
  t.equal(disputed.statusCode, 201)
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'timesheet.disputed',
        title:
          /^Cleo disputed 20 min of your timesheet for 2026-W49 on “Ongoing React help”: answer by \d{1,2} [A-Z][a-z]{2} 2026, \d{2}:\d{2} UTC$/,
        data: { disputeId: disputed.json().dispute.id, minutes: 20 },
      },
    ],
  })
  await inbox.nothingFor(client, 'she disputed')

  // Week 50: nobody acts; the deadlines submit and approve it, and say so.
  clock.set('2026-12-07T18:00:00Z')
  const third = await hourOfWork(ctx, contract.id, fred, '2026-12-07')
  await inbox.settle(client, fred)
  clock.set('2026-12-14T12:01:00Z')
  await ctx.app.scheduler.runDue()
  t.match(await inbox.news(client), {
    items: [
      {
        type: 'timesheet.to_review',
        title:
          'The timesheet for 2026-W50 on “Ongoing React help” was submitted automatically: 1 h, $60.00; approve or dispute it by 19 Dec 2026, 00:00 UTC',
        subject: { kind: 'timesheet', id: third },
      },
    ],
  })
  await inbox.nothingFor(fred, 'the deadline submitted for him')
  clock.set('2026-12-19T00:01:00Z')
  await ctx.app.scheduler.runDue()
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'timesheet.approved',
        title: 'Your timesheet for 2026-W50 on “Ongoing React help” was approved automatically: $60.00 paid',
      },
    ],
  })
  const invoices = await expect(call, 200, {
    method: 'GET',
    url: `/api/v1/invoices?contractId=${contract.id}`,
    token: client.token,
  })
  const invoice = invoices.items.find((i: { state: string; periodStart: string | null }) =>
    i.periodStart?.startsWith('2026-12-07'),
  )
  t.match(await inbox.news(client), {
    items: [
      {
        type: 'invoice.issued',
        title: `Invoice ${invoice.displayNumber} for $60.00: the timesheet for 2026-W50 on “Ongoing React help” was approved automatically and paid from your wallet`,
        link: `/invoices/${invoice.id}`,
      },
    ],
  })
})
