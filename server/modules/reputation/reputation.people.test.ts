import t from 'tap'
import { endContract, startedContract } from '../../../test/fixtures/ended-contract.js'
import { build, type TestApp, type TestUser } from '../../../test/helper.js'
import { act, hire, postJob, propose } from '../../../test/marketplace.js'

t.setTimeout(120_000)

async function profile(ctx: TestApp, user: TestUser) {
  const response = await ctx.call({ method: 'GET', url: `/api/v1/users/${user.id}` })
  if (response.statusCode !== 200) throw new Error(`profile: ${response.statusCode} ${response.body}`)
  return response.json()
}

t.test('completed contracts count only contracts that started and ended', async (t) => {
  const ctx = await build(t)
  const client = await ctx.register('Acme')
  const freelancer = await ctx.register('Fred')

  const ended = await startedContract(ctx, { client, freelancer })
  await endContract(ctx, ended.contractId, client)
  await startedContract(ctx, { client, freelancer }) // still active
  // An offer the freelancer declined never started.
  const job = await postJob(ctx.call, client.token)
  const proposal = await propose(ctx.call, freelancer.token, job.id, {
    coverLetter: 'Maybe.',
    bidAmount: 10_000,
    estimatedDays: 3,
  })
  const offer = await hire(ctx.call, client.token, proposal.id)
  await act(ctx.call, freelancer.token, `/api/v1/contracts/${offer.id}/decline`)

  const asFreelancer = (await profile(ctx, freelancer)).reputation.freelancer
  t.equal(asFreelancer.completedContracts, 1, 'one contract ended; the active one and the declined offer do not count')
  t.equal(asFreelancer.contracts, 2, 'two started')
  t.equal((await profile(ctx, client)).reputation.client.completedContracts, 1, "the same count on the client's side")
  t.equal(
    (await profile(ctx, client)).reputation.freelancer.completedContracts,
    0,
    'the client completed none as freelancer',
  )
})

t.test('a picker finds freelancers by the start of a name or a skill, and searching is rate limited', async (t) => {
  const ctx = await build(t, { env: { SEARCHES_PER_MINUTE: '4' } })
  const fred = await ctx.register('Fred Lancer')
  const wilma = await ctx.register('Wilma Frederiksen')
  const bob = await ctx.register('Bob 100%_Sure')
  for (const [user, skills] of [
    [fred, ['typescript']],
    [wilma, ['figma', 'css']],
    [bob, ['fresco']],
  ] as const) {
    const patched = await ctx.call({ method: 'PATCH', url: '/api/v1/me', token: user.token, payload: { skills } })
    t.equal(patched.statusCode, 200)
  }
  const searcher = await ctx.register('Acme')
  const names = async (query: string) => {
    const response = await ctx.call({ method: 'GET', url: `/api/v1/freelancers?${query}`, token: searcher.token })
    t.equal(response.statusCode, 200, query)
    return (response.json().items as Array<{ name: string }>).map((hit) => hit.name).sort()
  }
  t.same(await names('name=fre'), ['Bob 100%_Sure', 'Fred Lancer', 'Wilma Frederiksen'], 'first name, last name, skill')
  t.same(await names('name=FIG'), ['Wilma Frederiksen'], 'case does not matter')
  t.same(await names('name=%25_'), [], "LIKE's wildcards are plain text")
  t.same(await names('name=lancer&limit=1'), ['Fred Lancer'])

  const limited = await ctx.call({ method: 'GET', url: '/api/v1/freelancers?name=f', token: searcher.token })
  t.equal(limited.statusCode, 429, 'the fifth search in a minute waits')
  t.equal(limited.json().code, 'request.rate_limited')
  const tooLong = await ctx.call({
    method: 'GET',
    url: `/api/v1/freelancers?name=${'x'.repeat(101)}`,
    token: fred.token,
  })
  t.equal(tooLong.statusCode, 400, 'a name over 100 characters is refused')
})
