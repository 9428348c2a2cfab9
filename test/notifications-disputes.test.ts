// Disputes move money on deadlines, so each step notifies: opened (with the answer date) and
// answered to the other side, escalated to the other side and to every operator, decided
// (by an operator, a settlement or a lapse) to the parties; refused steps notify nobody.
import t from 'tap'
import { DAY } from '../server/clock.js'
import type { TestUser } from './helper.js'
import { build } from './helper.js'
import { expect } from './marketplace.js'
import { depositConfirmed, idem, makeOperator } from './money.js'
import { fixedContract, watchInboxes } from './notices.js'

t.setTimeout(180_000)

t.test('dispute steps notify the other side, operators once escalated, both parties when decided', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  const [client, fred] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const { contract, milestones } = await fixedContract(ctx, { client, freelancer: fred }, [
    { title: 'Design', amount: 30_000 },
    { title: 'Build', amount: 30_000 },
    { title: 'Polish', amount: 40_000 },
  ])
  const [design, buildStep, polish] = milestones as [string, string, string]
  const operator = await makeOperator(ctx)
  await depositConfirmed(ctx, client, operator, 100_000)
  // Moving the clock days ahead may also run the weekly status-report check (its own test covers it).
  const inbox = watchInboxes(t, ctx, { ignore: ['status_report.missing'] })
  for (const id of [design, buildStep, polish])
    await expect(call, 200, {
      method: 'POST',
      url: `/api/v1/milestones/${id}/fund`,
      token: client.token,
      headers: idem(),
    })
  const post = (user: TestUser, url: string, payload: object, money: boolean) =>
    call({ method: 'POST', url, token: user.token, ...(money ? { headers: idem() } : {}), payload })
  const page = `/contracts/${contract.id}`
  await inbox.settle(operator, client, fred)

  // Opened by the client: the freelancer is told when to answer.
  const opened = await post(client, `/api/v1/milestones/${design}/disputes`, { reason: 'Not what we agreed' }, false)
  t.equal(opened.statusCode, 201)
  const dispute = opened.json()
  const told = await inbox.news(fred)
  t.match(told, {
    items: [
      {
        type: 'dispute.opened',
        title:
          /^Cleo opened a dispute on “Design” on “Build a landing page” \(\$300\.00 held\): answer by \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC, or it resolves for them$/,
        link: page,
        subject: { kind: 'dispute', id: dispute.id },
        contractId: contract.id,
      },
    ],
  })
  t.equal(told.items.length, 1)
  await inbox.nothingFor(client, 'she opened it')

  // Answered: the opener hears of it; answering one's own dispute is refused.
  const respond = `/api/v1/disputes/${dispute.id}/respond`
  t.equal((await post(client, respond, { message: 'Me again' }, true)).statusCode, 403)
  for (const user of [client, fred, operator]) await inbox.nothingFor(user, 'a refused answer')
  t.equal((await post(fred, respond, { message: 'It matches the brief' }, true)).statusCode, 200)
  t.match(await inbox.news(client), {
    items: [{ type: 'dispute.answered', title: 'Fred answered the dispute on “Design” on “Build a landing page”' }],
  })
  await inbox.nothingFor(fred, 'he answered')

  // Escalated: the other side and every operator (the operator's link is their queue).
  t.equal((await post(client, `/api/v1/disputes/${dispute.id}/escalate`, {}, false)).statusCode, 200)
  const escalated = 'Cleo escalated the dispute on “Design” on “Build a landing page” to an operator'
  t.match(await inbox.news(fred), { items: [{ type: 'dispute.escalated', title: escalated, link: page }] })
  const queue = await inbox.news(operator)
  t.match(queue, { unread: 1, items: [{ type: 'dispute.escalated', title: escalated, link: '/operator' }] })
  t.equal(queue.items.length, 1)
  await inbox.nothingFor(client, 'she escalated')

  // Decided by the operator: both parties, with the split.
  const decide = `/api/v1/admin/disputes/${dispute.id}/decide`
  t.equal((await post(fred, decide, { freelancerAmount: 10_000, note: 'Mine' }, true)).statusCode, 403)
  for (const user of [client, fred, operator]) await inbox.nothingFor(user, 'a party cannot decide')
  t.equal((await post(operator, decide, { freelancerAmount: 10_000, note: 'Partly delivered' }, true)).statusCode, 200)
  const decided =
    'An operator decided the dispute on “Design” on “Build a landing page”: $100.00 to Fred, $200.00 back to Cleo'
  for (const user of [client, fred])
    t.match(await inbox.news(user), { items: [{ type: 'dispute.decided', title: decided, link: page }] })
  await inbox.nothingFor(operator, 'the operator decided')

  // Settled: equal splits resolve it; the other side hears how the money moved.
  const second = (await post(fred, `/api/v1/milestones/${buildStep}/disputes`, { reason: 'Unpaid work' }, false)).json()
  t.match(await inbox.news(client), { items: [{ type: 'dispute.opened', title: /^Fred opened a dispute on “Build”/ }] })
  t.equal(
    (await post(client, `/api/v1/disputes/${second.id}/settle`, { freelancerAmount: 30_000 }, true)).statusCode,
    200,
  )
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'dispute.decided',
        title: 'The dispute on “Build” on “Build a landing page” is settled: $300.00 to Fred, $0.00 back to Cleo',
      },
    ],
  })
  await inbox.nothingFor(client, 'she settled')

  // Lapsed: nobody answered in time; both parties hear the outcome.
  await post(fred, `/api/v1/milestones/${polish}/disputes`, { reason: 'Waiting for feedback' }, false)
  await inbox.settle(client, fred)
  clock.advance(6 * DAY)
  await ctx.app.scheduler.runDue()
  const lapsed =
    'The dispute on “Polish” on “Build a landing page” was not answered in time: $400.00 to Fred, $0.00 back to Cleo'
  for (const user of [client, fred])
    t.match(await inbox.news(user), { items: [{ type: 'dispute.decided', title: lapsed }] })
})
