import t from 'tap'
import { DAY } from '../../clock.js'
import {
  clientRatings,
  endContract,
  freelancerRatings,
  leaveFeedback,
  startedContract,
} from '../../../test/fixtures/ended-contract.js'
import { build } from '../../../test/helper.js'

t.setTimeout(120_000)

t.test("a profile's feedback received: revealed only, to anyone, newest first, paged", async (t) => {
  const ctx = await build(t)
  const client = await ctx.register('Acme')
  const freelancer = await ctx.register('Fred')
  const received = async (query = '') => {
    const response = await ctx.call({ method: 'GET', url: `/api/v1/users/${freelancer.id}/feedback${query}` })
    t.equal(response.statusCode, 200)
    return response.json() as { items: Array<{ comment: string; contractId: string }>; nextCursor: string | null }
  }

  // Contract 1: both leave feedback, so it is revealed at once.
  const first = await startedContract(ctx, { client, freelancer })
  await endContract(ctx, first.contractId, client)
  await leaveFeedback(ctx, first.contractId, client, freelancerRatings([5, 5, 5, 5, 5, 5]), 'Great work.')
  t.same((await received()).items, [], 'one side only: hidden, double-blind')
  await leaveFeedback(ctx, first.contractId, freelancer, clientRatings([4, 4, 4]), 'Clear brief.')
  t.same(
    (await received()).items.map((f) => f.comment),
    ['Great work.'],
    'revealed once both left theirs; only what was said about Fred',
  )

  // Contract 2: only the client leaves feedback; it shows when the window closes.
  ctx.clock.advance(DAY)
  const second = await startedContract(ctx, { client, freelancer })
  await endContract(ctx, second.contractId, client)
  await leaveFeedback(ctx, second.contractId, client, freelancerRatings([3, 3, 3, 3, 3, 3]), 'Late, but fine.')
  t.same((await received()).items.length, 1)
  ctx.clock.advance(15 * DAY)
  t.same(
    (await received()).items.map((f) => f.comment),
    ['Late, but fine.', 'Great work.'],
    'the window closed: revealed, newest reveal first',
  )
  const page = await received('?limit=1')
  t.equal(page.items.length, 1)
  const rest = await received(`?limit=1&cursor=${encodeURIComponent(page.nextCursor!)}`)
  t.same(
    rest.items.map((f) => f.comment),
    ['Great work.'],
  )
  t.equal(rest.nextCursor, null)

  const bad = await ctx.call({ method: 'GET', url: `/api/v1/users/${freelancer.id}/feedback?cursor=x` })
  t.equal(bad.statusCode, 400)
  const notId = await ctx.call({ method: 'GET', url: '/api/v1/users/nope/feedback' })
  t.equal(notId.statusCode, 404, 'a path id that is not one is simply not found')
})
