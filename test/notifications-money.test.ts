// Fixed-price money: every milestone step notifies the other party in the same transaction
// (funded, submitted, changes requested, approved, a partial release, refunded), an
// automatic release tells the freelancer and hands the client the invoice, a paid-out
// withdrawal tells its owner; refused steps notify nobody.
import t from 'tap'
import { DAY } from '../server/clock.js'
import type { TestUser } from './helper.js'
import { build } from './helper.js'
import { expect } from './marketplace.js'
import { balances, depositConfirmed, idem, makeOperator } from './money.js'
import { fixedContract, watchInboxes } from './notices.js'

t.setTimeout(180_000)

const usd = (minor: number) =>
  `$${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`

t.test('milestone steps, an automatic release and a payout notify the right person', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  const operator = await makeOperator(ctx)
  const client = await ctx.register('Cleo')
  const fred = await ctx.register('Fred')
  // Moving the clock two weeks also runs the weekly status-report check (its own test covers it).
  const inbox = watchInboxes(t, ctx, { ignore: ['status_report.missing'] })

  const { contract, milestones } = await fixedContract(ctx, { client, freelancer: fred }, [
    { title: 'Design', amount: 30_000 },
    { title: 'Build', amount: 50_000 },
    { title: 'Polish', amount: 20_000 },
  ])
  const [design, buildStep, polish] = milestones as [string, string, string]
  const page = `/contracts/${contract.id}`
  const post = (user: TestUser, url: string, payload?: object, money = true) =>
    call({
      method: 'POST',
      url,
      token: user.token,
      ...(money ? { headers: idem() } : {}),
      ...(payload ? { payload } : {}),
    })
  await inbox.settle(operator, client, fred)

  // Funding without money in the wallet is refused: nobody hears of it.
  t.equal((await post(client, `/api/v1/milestones/${design}/fund`)).statusCode, 409)
  for (const user of [operator, client, fred]) await inbox.nothingFor(user, 'a refused funding')
  await depositConfirmed(ctx, client, operator, 100_000)
  await inbox.settle(operator, client, fred)

  t.equal((await post(client, `/api/v1/milestones/${design}/fund`)).statusCode, 200)
  const funded = await inbox.news(fred)
  t.match(funded, {
    unread: 2,
    items: [
      {
        type: 'milestone.funded',
        title: 'Cleo funded “Design” on “Build a landing page” ($300.00 in escrow): you can start the work',
        link: page,
        subject: { kind: 'milestone', id: design },
        contractId: contract.id,
        data: { amount: { amount: '30000', currency: 'USD' } },
      },
    ],
  })
  t.equal(funded.items.length, 1)
  await inbox.nothingFor(client, 'she funded')

  // Submitted -> the client reviews; changes requested -> the freelancer.
  t.equal(
    (await post(fred, `/api/v1/milestones/${design}/submit`, { message: 'Mockups attached' }, false)).statusCode,
    200,
  )
  t.match(await inbox.news(client), {
    items: [
      {
        type: 'milestone.submitted',
        title:
          /^Fred submitted “Design” on “Build a landing page” for review: approve it or ask for changes by \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC \(then it is released automatically\)$/,
        link: page,
      },
    ],
  })
  await inbox.nothingFor(fred, 'he submitted')
  t.equal((await post(fred, `/api/v1/milestones/${design}/request-changes`, { message: 'no' }, false)).statusCode, 403)
  for (const user of [client, fred]) await inbox.nothingFor(user, 'a refused change request')
  t.equal(
    (await post(client, `/api/v1/milestones/${design}/request-changes`, { message: 'Bigger logo' }, false)).statusCode,
    200,
  )
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'milestone.changes_requested',
        title: 'Cleo asked for changes to “Design” on “Build a landing page”',
      },
    ],
  })
  await inbox.nothingFor(client, 'she asked for changes')
  await post(fred, `/api/v1/milestones/${design}/submit`, { message: 'Bigger logo done' }, false)
  await inbox.settle(client, fred)

  // A partial release, then the rest: approved.
  let earned = (await balances(ctx, fred)).earnings
  t.equal((await post(client, `/api/v1/milestones/${design}/approve`, { amount: 10_000 })).statusCode, 200)
  let net = (await balances(ctx, fred)).earnings - earned
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'milestone.released',
        title: `Cleo released $100.00 of “Design” on “Build a landing page”: ${usd(net)} to your earnings`,
        data: { amount: { amount: '10000', currency: 'USD' }, net: { amount: String(net), currency: 'USD' } },
      },
    ],
  })
  earned += net
  t.equal((await post(client, `/api/v1/milestones/${design}/approve`, {})).statusCode, 200)
  net = (await balances(ctx, fred)).earnings - earned
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'milestone.approved',
        title: `Cleo approved “Design” on “Build a landing page” and released $200.00: ${usd(net)} to your earnings`,
        link: page,
      },
    ],
  })
  await inbox.nothingFor(client, 'she approved (her invoice is on the page she acted on)')

  // An automatic release: the freelancer gets the money, the client the invoice.
  await post(client, `/api/v1/milestones/${buildStep}/fund`)
  await post(fred, `/api/v1/milestones/${buildStep}/submit`, { message: 'Built' }, false)
  await inbox.settle(client, fred)
  earned = (await balances(ctx, fred)).earnings
  clock.advance(15 * DAY)
  await ctx.app.scheduler.runDue()
  net = (await balances(ctx, fred)).earnings - earned
  t.ok(net > 0, 'the submission was released')
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'milestone.released',
        title: `“Build” on “Build a landing page” was released automatically after the review window: ${usd(net)} to your earnings`,
        subject: { kind: 'milestone', id: buildStep },
      },
    ],
  })
  const invoices = await expect(call, 200, {
    method: 'GET',
    url: `/api/v1/invoices?contractId=${contract.id}`,
    token: client.token,
  })
  const autoInvoice = invoices.items.find((i: { milestoneId: string }) => i.milestoneId === buildStep)
  const issued = await inbox.news(client)
  t.match(issued, {
    items: [
      {
        type: 'invoice.issued',
        title: `Invoice ${autoInvoice.displayNumber} for $500.00: “Build” on “Build a landing page” was released automatically after the review window`,
        link: `/invoices/${autoInvoice.id}`,
      },
    ],
  })
  t.equal(issued.items.length, 1, 'one notice for the client: the invoice')

  // A refund by the freelancer goes back to the client's wallet; an operator's, both parties hear of.
  await post(client, `/api/v1/milestones/${polish}/fund`)
  await inbox.settle(operator, client, fred)
  // The client asks for part of it back: the freelancer hears of it, and consents by refunding.
  t.equal((await post(client, `/api/v1/milestones/${polish}/refund`, { amount: 5_000 })).statusCode, 202)
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'milestone.refund_requested',
        title:
          'Cleo asked for $50.00 of “Polish” on “Build a landing page” back from escrow: refund it, or answer in the workroom',
        data: { amount: { amount: '5000', currency: 'USD' } },
        subject: { kind: 'milestone', id: polish },
      },
    ],
  })
  await inbox.nothingFor(client, 'she asked')
  t.equal((await post(fred, `/api/v1/milestones/${polish}/refund`, {})).statusCode, 200, 'he refunds what was asked')
  t.match(await inbox.news(client), {
    items: [
      {
        type: 'milestone.refunded',
        title: "Fred refunded $50.00 of “Polish” on “Build a landing page” to the client's wallet",
        data: { amount: { amount: '5000', currency: 'USD' } },
      },
    ],
  })
  await inbox.nothingFor(fred, 'he refunded')
  t.equal((await post(operator, `/api/v1/milestones/${polish}/refund`, {})).statusCode, 200)
  for (const user of [client, fred])
    t.match(await inbox.news(user), {
      items: [
        {
          type: 'milestone.refunded',
          title: "An operator refunded $150.00 of “Polish” on “Build a landing page” to the client's wallet",
        },
      ],
    })
  await inbox.nothingFor(operator, 'the operator refunded')

  // An operator voids the automatic release's invoice: both parties get the credit note.
  const voided = await expect(call, 200, {
    method: 'POST',
    url: `/api/v1/admin/invoices/${autoInvoice.id}/void`,
    token: operator.token,
    payload: { reason: 'Billed twice' },
  })
  for (const user of [client, fred])
    t.match(await inbox.news(user), {
      items: [
        {
          type: 'invoice.issued',
          title: `An operator voided invoice ${autoInvoice.displayNumber}: credit note ${voided.correction.displayNumber} for -$500.00 (Billed twice)`,
          link: `/invoices/${voided.correction.id}`,
        },
      ],
    })
  await inbox.nothingFor(operator, 'the operator voided it')

  // A withdrawal paid out by the operator.
  const withdrawal = await expect(call, 201, {
    method: 'POST',
    url: '/api/v1/wallet/withdrawals',
    token: fred.token,
    headers: idem(),
    payload: { amount: 10_000, currency: 'USD', destination: 'IBAN DE00 1234' },
  })
  await inbox.settle(operator, fred)
  const confirm = `/api/v1/admin/withdrawals/${withdrawal.id}/confirm`
  t.equal((await post(operator, confirm)).statusCode, 200)
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'withdrawal.paid',
        title: 'Your withdrawal of $100.00 was paid out',
        link: '/wallet',
        subject: { kind: 'withdrawal', id: withdrawal.id },
      },
    ],
  })
  await inbox.nothingFor(operator, 'the operator confirmed it')
  t.equal((await post(operator, confirm)).statusCode, 409, 'a second confirmation is refused')
  for (const user of [operator, fred]) await inbox.nothingFor(user, 'a refused confirmation')
})
