// Feedback through the real API: the double-blind exchange, its reveal and the replies.
// The closing window and what is refused outright are in feedback.eligibility.test.ts.
import t from 'tap'
import {
  clientRatings,
  endContract,
  freelancerRatings,
  leaveFeedback,
  startedContract,
} from '../../../test/fixtures/ended-contract.js'
import { build, type TestApp } from '../../../test/helper.js'
import { propose } from '../../../test/marketplace.js'
import { DAY } from '../../clock.js'
import { EVENTS_TOPIC, type EventsBusMessage } from '../events/index.js'

t.setTimeout(180_000)

/** Every event-stream message published on the bus, as each user would receive it. */
function captureEvents(ctx: TestApp) {
  const messages: EventsBusMessage[] = []
  ctx.app.bus.subscribe(EVENTS_TOPIC, (message) => void messages.push(message as EventsBusMessage))
  return {
    /** The event types `userId` got, waiting (Redis delivers asynchronously) until `expected` are all there. */
    async typesFor(userId: string, expected: string[] = []): Promise<string[]> {
      const types = () => messages.filter((m) => m.userIds.includes(userId)).map((m) => m.frame.type)
      for (let i = 0; i < 100 && !expected.every((type) => types().includes(type)); i++)
        await new Promise((resolve) => setTimeout(resolve, 20))
      return types()
    },
  }
}

t.test(
  'double-blind: hidden from the other party until both are in; no second feedback, no edit; replies once',
  async (t) => {
    const ctx = await build(t, { env: { SESSION_TTL_DAYS: '3650' } })
    const { call, clock } = ctx
    const [client, freelancer, rival, stranger] = [
      await ctx.register('Cleo'),
      await ctx.register('Fred'),
      await ctx.register('Rita'),
      await ctx.register('Stan'),
    ]
    const events = captureEvents(ctx)
    const { contractId, jobId, workroomId } = await startedContract(ctx, { client, freelancer })
    // Rita proposed on the same job and was not hired.
    await propose(call, rival.token, jobId, { coverLetter: 'Me too.', bidAmount: 70_000, estimatedDays: 10 })
    const url = `/api/v1/contracts/${contractId}/feedback`
    const clientSays = { ratings: freelancerRatings([5, 4, 4, 5, 3, 4]), comment: 'Fred delivered a clean, fast site.' }
    const freelancerSays = { ratings: clientRatings([4, 5, 5]), comment: 'Clear brief, paid on time.' }

    const early = await call({ method: 'POST', url, token: client.token, payload: clientSays })
    t.equal(early.statusCode, 409, 'no feedback while the contract runs')
    t.equal(early.json().code, 'feedback.contract_not_ended')
    t.same(
      (await call({ method: 'GET', url, token: client.token })).json(),
      { contractId, window: null, items: [] },
      'no window before the end',
    )

    await endContract(ctx, contractId, freelancer)
    const endedAt = clock.now()

    // Nobody but the two parties may leave feedback.
    t.equal((await call({ method: 'POST', url, payload: clientSays })).statusCode, 401, 'anonymous')
    for (const [who, user] of [
      ['stranger', stranger],
      ['rival bidder', rival],
    ] as const) {
      const refused = await call({ method: 'POST', url, token: user.token, payload: clientSays })
      t.equal(refused.statusCode, 404, `${who} cannot leave feedback (and learns nothing)`)
    }
    const wrong = await call({ method: 'POST', url, token: freelancer.token, payload: clientSays })
    t.equal(wrong.statusCode, 400, 'a freelancer rates the client on the client criteria')
    t.equal(wrong.json().code, 'feedback.wrong_ratings')

    const left = await call({ method: 'POST', url, token: client.token, payload: clientSays })
    t.equal(left.statusCode, 201)
    // 30·5 + 20·4 + 15·4 + 15·5 + 10·3 + 10·4 = 435
    t.match(left.json(), {
      contractId,
      authorId: client.id,
      authorRole: 'client',
      subjectId: freelancer.id,
      subjectRole: 'freelancer',
      score: 4.35,
      revealed: false,
      revealedAt: null,
      reply: null,
      replyUntil: null,
    })
    t.same(left.json().ratings, clientSays.ratings)
    const clientFeedbackId = left.json().id

    const again = await call({
      method: 'POST',
      url,
      token: client.token,
      payload: { ...clientSays, comment: 'Changed my mind' },
    })
    t.equal(again.statusCode, 409, 'a second feedback is refused')
    t.equal(again.json().code, 'feedback.already_left')
    for (const editUrl of [url, `/api/v1/feedback/${clientFeedbackId}`]) {
      for (const method of ['PATCH', 'PUT'] as const) {
        t.equal(
          (await call({ method, url: editUrl, token: client.token, payload: { comment: 'edited' } })).statusCode,
          404,
          `${method} ${editUrl}: there is no way to edit`,
        )
      }
    }

    // Unrevealed: its author sees it; nobody else does.
    const asClient = (await call({ method: 'GET', url, token: client.token })).json()
    t.equal(asClient.items.length, 1)
    t.match(asClient.window, {
      open: true,
      revealedAt: null,
      submitted: { client: true, freelancer: false },
      closesAt: new Date(endedAt.getTime() + 14 * DAY).toISOString(),
    })
    const asFreelancer = (await call({ method: 'GET', url, token: freelancer.token })).json()
    t.same(asFreelancer.items, [], 'the rated freelancer does not see it yet')
    t.equal(asFreelancer.window.submitted.client, true, 'but knows the client has left theirs')
    t.notMatch(JSON.stringify(asFreelancer), /delivered a clean/)
    for (const [who, token] of [
      ['anonymous', undefined],
      ['stranger', stranger.token],
      ['rival bidder', rival.token],
    ] as const) {
      const hidden = await call({ method: 'GET', url, token })
      t.equal(hidden.statusCode, 404, `${who} sees no unrevealed feedback`)
      t.notMatch(hidden.body, /delivered a clean/)
    }
    t.equal(
      (
        await call({
          method: 'POST',
          url: `/api/v1/feedback/${clientFeedbackId}/reply`,
          token: freelancer.token,
          payload: { body: 'Thanks' },
        })
      ).statusCode,
      404,
      'no reply to what one cannot see',
    )
    t.equal(
      (
        await call({
          method: 'POST',
          url: `/api/v1/feedback/${clientFeedbackId}/reply`,
          token: client.token,
          payload: { body: 'Me' },
        })
      ).statusCode,
      403,
      'the author does not reply to themself',
    )

    // The activity log says feedback was left, never what it says (the other party reads the log).
    const log = (
      await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity`, token: freelancer.token })
    ).json()
    const leftEntry = log.items.find((e: { type: string }) => e.type === 'feedback.left')
    t.match(leftEntry, { actorId: client.id, data: { contractId, feedbackId: clientFeedbackId, by: 'client' } })
    t.notMatch(JSON.stringify(log), /"score"|"quality"|"ratings"|delivered a clean/)

    clock.advance(5 * DAY)
    const second = await call({ method: 'POST', url, token: freelancer.token, payload: freelancerSays })
    t.equal(second.statusCode, 201)
    // mean(4, 5, 5) = 4.666… -> 4.67
    t.match(
      second.json(),
      {
        authorRole: 'freelancer',
        subjectRole: 'client',
        score: 4.67,
        revealed: true,
        revealedAt: clock.now().toISOString(),
      },
      'both in: revealed at once',
    )

    // Revealed feedback is public, to everyone.
    for (const [who, token] of [
      ['anonymous', undefined],
      ['stranger', stranger.token],
      ['rival bidder', rival.token],
      ['client', client.token],
    ] as const) {
      const seen = await call({ method: 'GET', url, token })
      t.equal(seen.statusCode, 200, `${who} sees revealed feedback`)
      t.equal(seen.json().items.length, 2)
      t.match(seen.json().window, { open: false, revealedBy: 'both', revealedAt: clock.now().toISOString() })
      t.match(seen.json().items, [
        { id: clientFeedbackId, comment: clientSays.comment, revealed: true },
        { comment: freelancerSays.comment, revealed: true },
      ])
    }
    t.equal(
      (await call({ method: 'POST', url, token: client.token, payload: clientSays })).statusCode,
      409,
      'still one per party after the reveal',
    )

    // The rated party replies once; nobody else may.
    const replyUrl = `/api/v1/feedback/${clientFeedbackId}/reply`
    t.equal(
      (await call({ method: 'POST', url: replyUrl, token: stranger.token, payload: { body: 'Hi' } })).statusCode,
      403,
      'a stranger sees it but may not reply',
    )
    t.equal(
      (await call({ method: 'POST', url: replyUrl, token: client.token, payload: { body: 'Hi' } })).statusCode,
      403,
      'nor may its author',
    )
    t.equal((await call({ method: 'POST', url: replyUrl, payload: { body: 'Hi' } })).statusCode, 401)
    clock.advance(27 * DAY)
    const replied = await call({
      method: 'POST',
      url: replyUrl,
      token: freelancer.token,
      payload: { body: 'Thank you, Cleo!' },
    })
    t.equal(replied.statusCode, 201, 'a reply on day 27 after the reveal')
    t.match(replied.json().reply, { body: 'Thank you, Cleo!', createdAt: clock.now().toISOString() })
    const twice = await call({ method: 'POST', url: replyUrl, token: freelancer.token, payload: { body: 'And again' } })
    t.equal(twice.statusCode, 409)
    t.equal(twice.json().code, 'feedback.already_replied')
    clock.advance(1 * DAY)
    const late = await call({
      method: 'POST',
      url: `/api/v1/feedback/${second.json().id}/reply`,
      token: client.token,
      payload: { body: 'Too late?' },
    })
    t.equal(late.statusCode, 409, 'a reply 28 days after the reveal is refused')
    t.equal(late.json().code, 'feedback.reply_window_closed')
    t.equal((await call({ method: 'GET', url })).json().items[0].reply.body, 'Thank you, Cleo!', 'the reply is public')

    const types = (await call({ method: 'GET', url: `/api/v1/workrooms/${workroomId}/activity`, token: client.token }))
      .json()
      .items.map((e: { type: string }) => e.type)
    t.same(
      types.filter((type: string) => type.startsWith('feedback.') || type.startsWith('reputation.')),
      [
        'feedback.left',
        'feedback.left',
        'feedback.revealed',
        'reputation.changed',
        'reputation.changed',
        'feedback.replied',
      ],
      'every step is in the activity log',
    )
    const expectedFreelancerEvents = [
      'feedback.left',
      'feedback.left',
      'feedback.replied',
      'feedback.revealed',
      // The client's feedback revealed both: the freelancer is notified of the reveal.
      'notification.created',
      'reputation.changed',
    ]
    // The accept bound the offer's milestone, so money events came earlier; these are the feedback steps.
    const freelancerEvents = (await events.typesFor(freelancer.id, expectedFreelancerEvents)).filter(
      (type) => !type.startsWith('contract.'),
    )
    t.same(freelancerEvents.sort(), expectedFreelancerEvents, 'and on the event stream')
    t.same(await events.typesFor(stranger.id), [], 'nobody else is told')
  },
)

t.test('both parties submitting at the same instant still reveal at once', async (t) => {
  const ctx = await build(t, { env: { SESSION_TTL_DAYS: '3650' } })
  const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
  const { contractId } = await startedContract(ctx, { client, freelancer })
  await endContract(ctx, contractId, client)
  const [a, b] = await Promise.all([
    leaveFeedback(ctx, contractId, client, freelancerRatings([4, 4, 4, 4, 4, 4])),
    leaveFeedback(ctx, contractId, freelancer, clientRatings([5, 5, 5])),
  ])
  t.equal([a.revealed, b.revealed].filter(Boolean).length, 1, 'the second of the two (in lock order) reveals')
  const seen = (await ctx.call({ method: 'GET', url: `/api/v1/contracts/${contractId}/feedback` })).json()
  t.match(seen, { window: { revealedBy: 'both' } })
  t.equal(seen.items.length, 2)
})
