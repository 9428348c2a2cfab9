import t from 'tap'
import { boundFixedContract } from '../../../test/fixtures/fixed-contract.js'
import { build } from '../../../test/helper.js'
import { firstWeekdayAt, mondayOf } from './status-reports.service.js'

t.setTimeout(120_000)

t.test(
  'weekly status reports: filed by the freelancer, commented by the client, a missing week flagged on Monday',
  async (t) => {
    const ctx = await build(t) // the clock starts on Monday 2026-11-23 09:00 UTC
    const { call } = ctx
    const [client, freelancer, stranger] = [
      await ctx.register('Cleo'),
      await ctx.register('Fred'),
      await ctx.register('Stan'),
    ]
    const { contractId } = await boundFixedContract(ctx, { client, freelancer, amounts: [10_000] })
    const url = `/api/v1/contracts/${contractId}/status-reports`
    const report = { workCompleted: 'Wireframes', progress: 20, plans: 'Visual design' }

    t.equal(
      (await call({ method: 'POST', url, token: client.token, payload: report })).statusCode,
      403,
      'the client does not file reports',
    )
    t.equal((await call({ method: 'POST', url, token: stranger.token, payload: report })).statusCode, 404)
    t.equal(
      (
        await call({ method: 'POST', url, token: freelancer.token, payload: { ...report, weekStart: '2026-11-24' } })
      ).json().code,
      'status_reports.bad_week',
      'a week starts on Monday',
    )
    t.equal(
      (await call({ method: 'POST', url, token: freelancer.token, payload: { ...report, weekStart: '2026-11-30' } }))
        .statusCode,
      400,
      'not a week to come',
    )
    const filed = await call({ method: 'POST', url, token: freelancer.token, payload: report })
    t.equal(filed.statusCode, 201)
    t.match(filed.json(), { weekStart: '2026-11-23', progress: 20, workCompleted: 'Wireframes' })
    t.equal(
      (await call({ method: 'POST', url, token: freelancer.token, payload: report })).json().code,
      'status_reports.already_filed',
      'one per week',
    )

    const comment = await call({
      method: 'POST',
      url: `/api/v1/status-reports/${filed.json().id}/comments`,
      token: client.token,
      payload: { body: 'Looks good' },
    })
    t.equal(comment.statusCode, 201)
    t.equal(
      (
        await call({
          method: 'POST',
          url: `/api/v1/status-reports/${filed.json().id}/comments`,
          token: stranger.token,
          payload: { body: 'hi' },
        })
      ).statusCode,
      404,
    )

    // The week of 2026-11-30 passes without a report: flagged on Monday 2026-12-07.
    ctx.clock.set('2026-12-06T23:59:00Z')
    await ctx.app.scheduler.runDue()
    t.same((await call({ method: 'GET', url, token: client.token })).json().missingWeeks, [], 'not before Monday')
    ctx.clock.set('2026-12-07T00:00:01Z')
    await ctx.app.scheduler.runDue()
    const listed = (await call({ method: 'GET', url, token: client.token })).json()
    t.same(
      listed.missingWeeks.map((w: { weekStart: string }) => w.weekStart),
      ['2026-11-30'],
    )
    t.match(listed.items, [{ weekStart: '2026-11-23', comments: [{ body: 'Looks good' }] }])

    // A week with a report is not flagged; the checks go on week after week.
    await call({ method: 'POST', url, token: freelancer.token, payload: { ...report, progress: 60 } })
    ctx.clock.set('2026-12-14T00:00:01Z')
    await ctx.app.scheduler.runDue()
    ctx.clock.set('2026-12-21T00:00:01Z')
    await ctx.app.scheduler.runDue()
    const later = (await call({ method: 'GET', url: `${url}?limit=1`, token: freelancer.token })).json()
    t.same(
      later.missingWeeks.map((w: { weekStart: string }) => w.weekStart),
      ['2026-12-14', '2026-11-30'],
    )
    t.equal(later.items.length, 1)
    const next = (
      await call({ method: 'GET', url: `${url}?limit=1&cursor=${later.nextCursor}`, token: freelancer.token })
    ).json()
    t.equal(next.items[0].weekStart, '2026-11-23')
  },
)

t.test('mondayOf', async (t) => {
  t.equal(mondayOf(new Date('2026-11-23T00:00:00Z')), '2026-11-23')
  t.equal(mondayOf(new Date('2026-11-29T23:59:59Z')), '2026-11-23')
  t.equal(mondayOf(new Date('2027-01-01T12:00:00Z')), '2026-12-28')
})

t.test('firstWeekdayAt: when a week’s report is due (the operator’s weekday and hour after the week)', async (t) => {
  const at = (iso: string, weekday: number, hour: number) => firstWeekdayAt(new Date(iso), weekday, hour).toISOString()
  t.equal(at('2026-12-07T00:00:00Z', 1, 0), '2026-12-07T00:00:00.000Z', 'the end of the week itself (the default)')
  t.equal(at('2026-12-07T00:00:00Z', 3, 12), '2026-12-09T12:00:00.000Z', 'Wednesday noon')
  t.equal(at('2026-12-07T00:00:00Z', 0, 0), '2026-12-13T00:00:00.000Z', 'Sunday comes after Monday')
  t.equal(at('2026-12-07T13:00:00Z', 1, 12), '2026-12-14T12:00:00.000Z', 'past the hour: the next week')
})
