// Keeping a fixed-price contract on track: a filed status report tells the client, a missing
// one (the Monday check) tells both parties, and revealed feedback tells the party who did
// not reveal it, with their rating; refused steps notify nobody.
import t from 'tap'
import { build } from './helper.js'
import { expect, fixedJob, hire, postJob, propose } from './marketplace.js'
import { watchInboxes } from './notices.js'

t.setTimeout(120_000)

t.test('status reports and revealed feedback notify the right party', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  clock.set('2026-11-18T10:00:00Z') // a Wednesday
  const client = await ctx.register('Cleo')
  const fred = await ctx.register('Fred')
  const inbox = watchInboxes(t, ctx)
  const job = await postJob(call, client.token, fixedJob)
  const contract = await hire(call, client.token, (await propose(call, fred.token, job.id)).id)
  await expect(call, 200, { method: 'POST', url: `/api/v1/contracts/${contract.id}/accept`, token: fred.token })
  await inbox.settle(client, fred)
  const page = `/contracts/${contract.id}`
  const reports = `/api/v1/contracts/${contract.id}/status-reports`
  const report = { workCompleted: 'Wireframes', progress: 40, plans: 'Visual design' }

  // Filed: the client hears of it; the client cannot file one.
  t.equal((await call({ method: 'POST', url: reports, token: client.token, payload: report })).statusCode, 403)
  for (const user of [client, fred]) await inbox.nothingFor(user, 'a refused report')
  const filed = await call({ method: 'POST', url: reports, token: fred.token, payload: report })
  t.equal(filed.statusCode, 201)
  const told = await inbox.news(client)
  t.match(told, {
    unread: 2, // with the offer's acceptance
    items: [
      {
        type: 'status_report.filed',
        title: 'Fred filed the status report for the week of 16 Nov 2026 on “Build a landing page” (40% done)',
        link: page,
        subject: { kind: 'status_report', id: filed.json().id },
        contractId: contract.id,
      },
    ],
  })
  t.equal(told.items.length, 1)
  await inbox.nothingFor(fred, 'he filed it')

  // Nothing filed for the week of 23 November: Monday's check tells both parties.
  clock.set('2026-11-30T01:00:00Z')
  await ctx.app.scheduler.runDue()
  for (const user of [client, fred]) {
    const missing = await inbox.news(user)
    t.match(missing, {
      items: [
        {
          type: 'status_report.missing',
          title: 'No status report was filed for the week of 23 Nov 2026 on “Build a landing page”',
          link: page,
        },
      ],
    })
    t.equal(missing.items.length, 1, `${user.name} is told once`)
  }

  // Feedback: revealed by the second party's; the first one hears their rating.
  await expect(call, 200, { method: 'POST', url: `/api/v1/contracts/${contract.id}/end`, token: client.token })
  await inbox.settle(client, fred)
  const feedback = `/api/v1/contracts/${contract.id}/feedback`
  const fromFred = { ratings: { clarity: 4, communication: 4, paymentPromptness: 4 }, comment: 'Clear brief' }
  await expect(call, 201, { method: 'POST', url: feedback, token: fred.token, payload: fromFred })
  for (const user of [client, fred]) await inbox.nothingFor(user, 'feedback stays hidden until both left it')
  t.equal((await call({ method: 'POST', url: feedback, token: fred.token, payload: fromFred })).statusCode, 409)
  for (const user of [client, fred]) await inbox.nothingFor(user, 'a second feedback is refused')
  const fives = { quality: 5, responsiveness: 5, professionalism: 5, expertise: 5, schedule: 5, cost: 5 }
  await expect(call, 201, {
    method: 'POST',
    url: feedback,
    token: client.token,
    payload: { ratings: fives, comment: 'Great work' },
  })
  t.match(await inbox.news(fred), {
    items: [
      {
        type: 'feedback.revealed',
        title: 'Feedback on “Build a landing page” is revealed: Cleo rated you 5.0 out of 5',
        link: page,
        data: { revealedBy: 'both' },
      },
    ],
  })
  await inbox.nothingFor(client, 'her feedback revealed both at once')

  // Only one party left feedback when the window closes: both hear of the reveal.
  const second = await postJob(call, client.token, { ...fixedJob, title: 'Logo refresh' })
  const other = await hire(call, client.token, (await propose(call, fred.token, second.id)).id)
  await expect(call, 200, { method: 'POST', url: `/api/v1/contracts/${other.id}/accept`, token: fred.token })
  await expect(call, 200, { method: 'POST', url: `/api/v1/contracts/${other.id}/end`, token: fred.token })
  await expect(call, 201, {
    method: 'POST',
    url: `/api/v1/contracts/${other.id}/feedback`,
    token: fred.token,
    payload: fromFred,
  })
  await inbox.settle(client, fred)
  clock.advance(15 * 24 * 3600_000)
  await ctx.app.scheduler.runDue()
  t.match(await inbox.news(client), {
    items: [
      {
        type: 'feedback.revealed',
        title: 'Feedback on “Logo refresh” is revealed: Fred rated you 4.0 out of 5',
        link: `/contracts/${other.id}`,
        data: { revealedBy: 'deadline' },
      },
    ],
  })
  t.match(await inbox.news(fred), {
    items: [{ type: 'feedback.revealed', title: 'Your feedback on “Logo refresh” is now public; Cleo left none' }],
  })
})
