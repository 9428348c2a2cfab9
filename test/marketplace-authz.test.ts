// The authorization matrix of the marketplace routes (jobs, invites, proposals, hiring,
// contracts, workroom hub, /me lists). Every route is called as each of: the job's client,
// the proposing freelancer, another freelancer who proposed on the same job (the rival), a
// stranger and an anonymous caller. Each answer must match the table below, and no answer
// may carry what that caller must not see: another bidder's id, name or cover letter, or
// anyone's email. State-changing routes run the refused callers first on one fresh world,
// then each allowed caller on a world of its own: the allowed call succeeding after the
// refusals shows the refusals changed nothing.
import t from 'tap'
import { build, type TestUser } from './helper.js'
import { act, fixedJob, hire, invite, postJob, propose } from './marketplace.js'

t.setTimeout(300_000)

const ROLES = ['client', 'proposer', 'rival', 'stranger', 'anonymous'] as const
type Role = (typeof ROLES)[number]
type Stage = 'base' | 'draft' | 'inviteOnly' | 'offered' | 'active' | 'paused'

interface World {
  job: { id: string; workroomId: string }
  proposal: { id: string }
  draft?: { id: string }
  inviteOnly?: { id: string }
  contract?: { id: string }
}

interface Row {
  route: string
  method: 'GET' | 'POST' | 'PATCH'
  stage: Stage
  url: (w: World) => string
  payload?: (w: World, users: Record<Exclude<Role, 'anonymous'>, TestUser>) => Record<string, unknown>
  /** Expected status for client, proposer, rival, stranger, anonymous. */
  expect: [number, number, number, number, number]
}

const PAT_COVER = 'Pat cover letter 7f3a: I will build it in React.'
const RITA_COVER = 'Rita cover letter 9b2c: I will build it in Svelte.'

const table: Row[] = [
  // jobs
  {
    route: 'POST /jobs',
    method: 'POST',
    stage: 'base',
    url: () => '/api/v1/jobs',
    payload: () => ({ ...fixedJob }),
    expect: [201, 201, 201, 201, 401],
  },
  {
    route: 'GET /jobs (search)',
    method: 'GET',
    stage: 'base',
    url: () => '/api/v1/jobs?q=landing',
    expect: [200, 200, 200, 200, 200],
  },
  {
    route: 'GET /jobs/:id (public)',
    method: 'GET',
    stage: 'base',
    url: (w) => `/api/v1/jobs/${w.job.id}`,
    expect: [200, 200, 200, 200, 200],
  },
  {
    route: 'GET /jobs/:id (invite-only)',
    method: 'GET',
    stage: 'inviteOnly',
    url: (w) => `/api/v1/jobs/${w.inviteOnly!.id}`,
    expect: [200, 200, 404, 404, 404],
  },
  {
    route: 'GET /jobs/:id (draft)',
    method: 'GET',
    stage: 'draft',
    url: (w) => `/api/v1/jobs/${w.draft!.id}`,
    expect: [200, 404, 404, 404, 404],
  },
  {
    route: 'PATCH /jobs/:id',
    method: 'PATCH',
    stage: 'base',
    url: (w) => `/api/v1/jobs/${w.job.id}`,
    payload: () => ({ title: 'Renamed' }),
    expect: [200, 403, 403, 403, 401],
  },
  {
    route: 'POST /jobs/:id/publish (draft)',
    method: 'POST',
    stage: 'draft',
    url: (w) => `/api/v1/jobs/${w.draft!.id}/publish`,
    expect: [200, 404, 404, 404, 401],
  },
  {
    route: 'POST /jobs/:id/close',
    method: 'POST',
    stage: 'base',
    url: (w) => `/api/v1/jobs/${w.job.id}/close`,
    expect: [200, 403, 403, 403, 401],
  },
  {
    route: 'POST /jobs/:id/cancel',
    method: 'POST',
    stage: 'base',
    url: (w) => `/api/v1/jobs/${w.job.id}/cancel`,
    expect: [200, 403, 403, 403, 401],
  },
  {
    route: 'POST /jobs/:id/invites',
    method: 'POST',
    stage: 'base',
    url: (w) => `/api/v1/jobs/${w.job.id}/invites`,
    payload: (_w, users) => ({ freelancerId: users.stranger.id }),
    expect: [201, 403, 403, 403, 401],
  },
  // proposals
  {
    route: 'POST /jobs/:id/proposals',
    method: 'POST',
    stage: 'base',
    url: (w) => `/api/v1/jobs/${w.job.id}/proposals`,
    payload: () => ({ coverLetter: 'Another one', bidAmount: 50_000, estimatedDays: 5 }),
    expect: [403, 409, 409, 201, 401],
  },
  {
    route: 'GET /jobs/:id/proposals',
    method: 'GET',
    stage: 'base',
    url: (w) => `/api/v1/jobs/${w.job.id}/proposals`,
    expect: [200, 200, 200, 404, 401],
  },
  {
    route: 'GET /proposals/:id',
    method: 'GET',
    stage: 'base',
    url: (w) => `/api/v1/proposals/${w.proposal.id}`,
    expect: [200, 200, 404, 404, 401],
  },
  {
    route: 'PATCH /proposals/:id',
    method: 'PATCH',
    stage: 'base',
    url: (w) => `/api/v1/proposals/${w.proposal.id}`,
    payload: () => ({ bidAmount: 75_000 }),
    expect: [403, 200, 404, 404, 401],
  },
  {
    route: 'POST /proposals/:id/shortlist',
    method: 'POST',
    stage: 'base',
    url: (w) => `/api/v1/proposals/${w.proposal.id}/shortlist`,
    expect: [200, 403, 404, 404, 401],
  },
  {
    route: 'POST /proposals/:id/decline',
    method: 'POST',
    stage: 'base',
    url: (w) => `/api/v1/proposals/${w.proposal.id}/decline`,
    expect: [200, 403, 404, 404, 401],
  },
  {
    route: 'POST /proposals/:id/withdraw',
    method: 'POST',
    stage: 'base',
    url: (w) => `/api/v1/proposals/${w.proposal.id}/withdraw`,
    expect: [403, 200, 404, 404, 401],
  },
  {
    route: 'POST /proposals/:id/hire',
    method: 'POST',
    stage: 'base',
    url: (w) => `/api/v1/proposals/${w.proposal.id}/hire`,
    expect: [201, 403, 404, 404, 401],
  },
  // contracts
  {
    route: 'GET /contracts/:id',
    method: 'GET',
    stage: 'offered',
    url: (w) => `/api/v1/contracts/${w.contract!.id}`,
    expect: [200, 200, 404, 404, 401],
  },
  {
    route: 'POST /contracts/:id/accept',
    method: 'POST',
    stage: 'offered',
    url: (w) => `/api/v1/contracts/${w.contract!.id}/accept`,
    expect: [403, 200, 404, 404, 401],
  },
  {
    route: 'POST /contracts/:id/decline',
    method: 'POST',
    stage: 'offered',
    url: (w) => `/api/v1/contracts/${w.contract!.id}/decline`,
    expect: [403, 200, 404, 404, 401],
  },
  {
    route: 'POST /contracts/:id/pause',
    method: 'POST',
    stage: 'active',
    url: (w) => `/api/v1/contracts/${w.contract!.id}/pause`,
    expect: [200, 403, 404, 404, 401],
  },
  {
    route: 'POST /contracts/:id/resume',
    method: 'POST',
    stage: 'paused',
    url: (w) => `/api/v1/contracts/${w.contract!.id}/resume`,
    expect: [200, 403, 404, 404, 401],
  },
  {
    route: 'POST /contracts/:id/end',
    method: 'POST',
    stage: 'active',
    url: (w) => `/api/v1/contracts/${w.contract!.id}/end`,
    expect: [200, 200, 404, 404, 401],
  },
  // the hub and the caller's own lists
  {
    route: 'GET /workrooms/:id',
    method: 'GET',
    stage: 'offered',
    url: (w) => `/api/v1/workrooms/${w.job.workroomId}`,
    expect: [200, 200, 200, 404, 401],
  },
  {
    route: 'GET /me/jobs',
    method: 'GET',
    stage: 'base',
    url: () => '/api/v1/me/jobs',
    expect: [200, 200, 200, 200, 401],
  },
  {
    route: 'GET /me/proposals',
    method: 'GET',
    stage: 'base',
    url: () => '/api/v1/me/proposals',
    expect: [200, 200, 200, 200, 401],
  },
  {
    route: 'GET /me/contracts',
    method: 'GET',
    stage: 'offered',
    url: () => '/api/v1/me/contracts',
    expect: [200, 200, 200, 200, 401],
  },
]

t.test('authorization matrix of the marketplace routes', async (t) => {
  const { app, call, register } = await build(t)

  // Every marketplace route the OpenAPI document lists has its row.
  const covered = new Set(
    table.map((row) =>
      row.route
        .replace(/ \(.*\)$/, '')
        .replace(':id', '{id}')
        .replace(' /', ' /api/v1/'),
    ),
  )
  const marketplace =
    /^\/api\/v1\/(jobs|proposals|me\/(jobs|proposals|contracts)$|workrooms\/\{id\}$|contracts\/\{id\}(\/(accept|decline|pause|resume|end))?$)/
  const documented = Object.entries(
    (app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths,
  ).flatMap(([path, operations]) =>
    marketplace.test(path) ? Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`) : [],
  )
  t.ok(documented.length >= 25, `${documented.length} marketplace routes documented`)
  t.same(
    documented.filter((route) => !covered.has(route)),
    [],
    'no marketplace route is missing from the table',
  )

  const users = {
    client: await register('Cleo Client'),
    proposer: await register('Pat Proposer'),
    rival: await register('Rita Rival'),
    stranger: await register('Sam Stranger'),
  }

  let worlds = 0
  const makeWorld = async (stage: Stage): Promise<World> => {
    worlds++
    const job = await postJob(call, users.client.token, { ...fixedJob, title: `Landing page ${worlds}` })
    const proposal = await propose(call, users.proposer.token, job.id, {
      coverLetter: PAT_COVER,
      bidAmount: 80_000,
      estimatedDays: 10,
    })
    await propose(call, users.rival.token, job.id, { coverLetter: RITA_COVER, bidAmount: 70_000, estimatedDays: 12 })
    const world: World = { job, proposal }
    if (stage === 'draft') world.draft = await postJob(call, users.client.token, fixedJob, { publish: false })
    if (stage === 'inviteOnly') {
      const inviteOnly = await postJob(call, users.client.token, { ...fixedJob, visibility: 'invite-only' })
      await invite(call, users.client.token, inviteOnly.id, users.proposer.id)
      await propose(call, users.proposer.token, inviteOnly.id, {
        coverLetter: PAT_COVER,
        bidAmount: 80_000,
        estimatedDays: 10,
      })
      world.inviteOnly = inviteOnly
    }
    if (stage === 'offered' || stage === 'active' || stage === 'paused') {
      world.contract = await hire(call, users.client.token, proposal.id)
      if (stage !== 'offered') await act(call, users.proposer.token, `/api/v1/contracts/${world.contract!.id}/accept`)
      if (stage === 'paused') await act(call, users.client.token, `/api/v1/contracts/${world.contract!.id}/pause`)
    }
    return world
  }

  // What each caller must never read.
  const secretsOf = (who: 'proposer' | 'rival') => [
    users[who].id,
    users[who].name,
    who === 'proposer' ? PAT_COVER : RITA_COVER,
  ]
  const emails = Object.values(users).map((u) => u.email)
  const forbidden: Record<Role, string[]> = {
    client: emails,
    proposer: [...emails, ...secretsOf('rival')],
    rival: [...emails, ...secretsOf('proposer')],
    stranger: [...emails, ...secretsOf('proposer'), ...secretsOf('rival')],
    anonymous: [...emails, ...secretsOf('proposer'), ...secretsOf('rival')],
  }
  const errorKeys = new Set(['code', 'message', 'requestId', 'state', 'action', 'field'])

  const mismatches: string[] = []
  const leaks: string[] = []
  for (const row of table) {
    const mutates = row.method !== 'GET'
    const order = ROLES.map((role, i) => ({ role, status: row.expect[i]! }))
    // Refused callers first; then the allowed ones.
    order.sort((a, b) => Number(a.status < 300) - Number(b.status < 300))
    let world = await makeWorld(row.stage)
    let succeeded = false
    for (const { role, status } of order) {
      if (mutates && status < 300 && succeeded) world = await makeWorld(row.stage)
      const token = role === 'anonymous' ? undefined : users[role].token
      const response = await call({
        method: row.method,
        url: row.url(world),
        token,
        payload: row.payload?.(world, users),
      })
      const cell = `${row.route} as ${role}`
      if (response.statusCode !== status)
        mismatches.push(`${cell}: expected ${status}, got ${response.statusCode} ${response.body.slice(0, 160)}`)
      if (response.statusCode < 300) succeeded = true
      for (const secret of forbidden[role]) {
        if (response.body.includes(secret))
          leaks.push(`${cell} (${response.statusCode}) shows ${JSON.stringify(secret)}`)
      }
      if (response.statusCode >= 400) {
        const extra = Object.keys(response.json()).filter((key) => !errorKeys.has(key))
        if (extra.length) leaks.push(`${cell}: error body carries ${extra.join(', ')}`)
      }
    }
  }
  t.same(mismatches, [], 'every answer matches the table')
  t.same(leaks, [], 'no answer shows what its caller may not see')
  t.ok(table.length >= 28, `${table.length} routes x ${ROLES.length} callers`)
})
