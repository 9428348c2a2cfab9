// When feedback can no longer be left or changed: after the 14-day window (whose deadline
// reveals one-sided feedback), on contracts that never started, and never by editing the row.
import { eq, sql } from 'drizzle-orm'
import t from 'tap'
import { feedbackTable } from '../../../db/schema/index.js'
import {
  clientRatings,
  endContract,
  freelancerRatings,
  leaveFeedback,
  startedContract,
} from '../../../test/fixtures/ended-contract.js'
import { build } from '../../../test/helper.js'
import { act, hire, propose } from '../../../test/marketplace.js'
import { DAY } from '../../clock.js'

t.setTimeout(180_000)

t.test(
  'the window closes after 14 days: the deadline reveals one-sided feedback; later feedback and replies are refused',
  async (t) => {
    const ctx = await build(t, { env: { SESSION_TTL_DAYS: '3650' } })
    const { call, clock, app } = ctx
    const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
    const { contractId, workroomId } = await startedContract(ctx, { client, freelancer })
    await endContract(ctx, contractId, client)
    const closesAt = new Date(clock.now().getTime() + 14 * DAY)
    const url = `/api/v1/contracts/${contractId}/feedback`
    const only = await leaveFeedback(ctx, contractId, freelancer, clientRatings([2, 3, 2]), 'Vague brief.')
    t.equal(only.score, 2.33)

    clock.advance(14 * DAY - 1)
    t.same(
      (await call({ method: 'GET', url, token: client.token })).json().items,
      [],
      'hidden until the very end of the window',
    )
    t.equal((await call({ method: 'GET', url })).statusCode, 404)
    clock.advance(1)
    // Past the window it is public even before the deadline has run.
    const lazy = await call({ method: 'GET', url })
    t.equal(lazy.statusCode, 200)
    t.match(lazy.json(), {
      window: { open: false, revealedBy: 'deadline', revealedAt: closesAt.toISOString() },
      items: [{ comment: 'Vague brief.', revealed: true }],
    })
    const late = await call({
      method: 'POST',
      url,
      token: client.token,
      payload: { ratings: freelancerRatings([5, 5, 5, 5, 5, 5]), comment: 'Late' },
    })
    t.equal(late.statusCode, 409, 'feedback after the window is refused')
    t.equal(late.json().code, 'feedback.window_closed')

    t.ok((await app.scheduler.runDue()) >= 1, 'the closing deadline ran')
    const log = (
      await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity`, token: client.token })
    ).json().items
    t.match(
      log.find((e: { type: string }) => e.type === 'feedback.revealed'),
      {
        actorId: null,
        data: {
          contractId,
          revealedBy: 'deadline',
          feedback: [{ feedbackId: only.id, subjectRole: 'client', score: 2.33 }],
        },
      },
    )
    t.match(
      log.find((e: { type: string }) => e.type === 'reputation.changed'),
      { data: { userId: client.id, role: 'client', score: null } },
      'nothing was paid, so the score stays empty',
    )
    t.equal(await app.scheduler.runDue(), 0, 'it runs once')

    clock.advance(28 * DAY - 1)
    t.equal(
      (
        await call({
          method: 'POST',
          url: `/api/v1/feedback/${only.id}/reply`,
          token: client.token,
          payload: { body: 'The brief was two pages.' },
        })
      ).statusCode,
      201,
      'the reply window runs from the reveal (the close)',
    )

    // A fresh one-sided case to see the 28-day limit from a deadline reveal.
    const other = await startedContract(ctx, { client, freelancer })
    await endContract(ctx, other.contractId, freelancer)
    const second = await leaveFeedback(ctx, other.contractId, client, freelancerRatings([3, 3, 3, 3, 3, 3]))
    clock.advance(14 * DAY + 28 * DAY)
    await app.scheduler.runDue()
    const tooLate = await call({
      method: 'POST',
      url: `/api/v1/feedback/${second.id}/reply`,
      token: freelancer.token,
      payload: { body: 'Hm' },
    })
    t.equal(tooLate.statusCode, 409, 'exactly 28 days after the reveal is too late')
    t.equal(tooLate.json().code, 'feedback.reply_window_closed')
  },
)

t.test('contracts that never started take no feedback; the database refuses edits', async (t) => {
  const ctx = await build(t, { env: { SESSION_TTL_DAYS: '3650' } })
  const { call, app } = ctx
  const [client, freelancer, other] = [
    await ctx.register('Cleo'),
    await ctx.register('Fred'),
    await ctx.register('Olga'),
  ]
  const { jobId } = await startedContract(ctx, { client, freelancer })
  const proposal = await propose(call, other.token, jobId, {
    coverLetter: 'Pick me',
    bidAmount: 60_000,
    estimatedDays: 7,
  })
  const offer = await hire(call, client.token, proposal.id)
  await act(call, client.token, `/api/v1/contracts/${offer.id}/end`)
  const withdrawn = await call({
    method: 'POST',
    url: `/api/v1/contracts/${offer.id}/feedback`,
    token: other.token,
    payload: { ratings: clientRatings([1, 1, 1]), comment: 'Withdrawn' },
  })
  t.equal(withdrawn.statusCode, 409, 'an offer withdrawn before it was accepted ends without feedback')
  t.equal(withdrawn.json().code, 'feedback.not_eligible')
  const badBody = await call({
    method: 'POST',
    url: `/api/v1/contracts/${offer.id}/feedback`,
    token: other.token,
    payload: { ratings: { clarity: 6, communication: 1, paymentPromptness: 1 }, comment: 'x' },
  })
  t.equal(badBody.statusCode, 400, 'ratings are 1-5')

  const started = await startedContract(ctx, { client, freelancer })
  await endContract(ctx, started.contractId, client)
  const left = await leaveFeedback(ctx, started.contractId, client, freelancerRatings([4, 4, 4, 4, 4, 4]))
  await t.rejects(
    app.db.update(feedbackTable).set({ comment: 'rewritten' }).where(eq(feedbackTable.id, left.id)),
    'an UPDATE of the content raises',
  )
  await t.rejects(app.db.update(feedbackTable).set({ score: 500, quality: 5 }).where(eq(feedbackTable.id, left.id)))
  await t.rejects(
    app.db
      .execute(sql`insert into feedback (id, contract_id, workroom_id, author_id, subject_id, subject_role, quality, responsiveness, professionalism, expertise, schedule, cost, score, comment, created_at)
    values (gen_random_uuid(), ${started.contractId}, ${started.workroomId}, ${freelancer.id}, ${client.id}, 'freelancer', 5, 5, 5, 5, 5, 5, 499, 'forged', now())`),
    'a score that is not the formula is refused',
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/contracts/${started.contractId}/feedback`, token: client.token })).json()
      .items[0].comment,
    'Good work together.',
  )
})
