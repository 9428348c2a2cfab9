// Job search on the database this run uses (PGlite by default, Postgres with DATABASE_URL):
// words, filters and pagination return exactly the expected jobs; invite-only jobs and
// drafts never show to anyone else.
import { sql, TransactionRollbackError } from 'drizzle-orm'
import t from 'tap'
import { queryRows } from '../../../db/client.js'
import { build } from '../../../test/helper.js'
import { invite, postJob } from '../../../test/marketplace.js'
import { HOUR, MINUTE } from '../../clock.js'

t.setTimeout(120_000)

t.test('full-text search, filters, visibility and cursor pagination', async (t) => {
  const { app, call, register, clock } = await build(t)
  const [clientA, clientB, invited, stranger] = await Promise.all([
    register('Client A'),
    register('Client B'),
    register('Invited'),
    register('Stranger'),
  ])
  const start = clock.now()
  const job = (title: string, description: string, skills: string[], extra: Record<string, unknown>) => ({
    title,
    description,
    skills,
    currency: 'USD',
    visibility: 'public',
    ...extra,
  })
  const fixed = (min: number, max: number) => ({ arrangement: 'fixed', budgetMin: min, budgetMax: max })
  const hourly = (min: number, max: number) => ({ arrangement: 'hourly', rateMin: min, rateMax: max })

  // Published one hour apart, so "recent" has a known order.
  const landing = await postJob(
    call,
    clientA.token,
    job(
      'Build a React landing page',
      'Responsive marketing site with TypeScript and CSS animations.',
      ['React', 'TypeScript', 'CSS'],
      fixed(50_000, 100_000),
    ),
  )
  clock.advance(HOUR)
  const logo = await postJob(
    call,
    clientB.token,
    job(
      'Logo design for a bakery',
      'Vector logo, brand colours and business cards.',
      ['illustrator', 'design'],
      fixed(20_000, 40_000),
    ),
  )
  clock.advance(HOUR)
  const mobile = await postJob(
    call,
    clientA.token,
    job(
      'React Native mobile app',
      'An iOS and Android app with React Native and a Node backend.',
      ['react', 'React Native', 'node'],
      hourly(4_000, 8_000),
    ),
  )
  clock.advance(HOUR)
  const pipeline = await postJob(
    call,
    clientB.token,
    job('Data pipeline in Python', 'ETL jobs with Airflow and Postgres.', ['python', 'postgres'], {
      ...hourly(5_000, 9_000),
      currency: 'EUR',
    }),
  )
  clock.advance(HOUR)
  const secret = await postJob(
    call,
    clientA.token,
    job('Secret React dashboard', 'Internal analytics dashboard in React.', ['react'], {
      ...fixed(100_000, 200_000),
      visibility: 'invite-only',
    }),
  )
  await invite(call, clientA.token, secret.id, invited.id)
  // Never listed: a draft, a closed job, a cancelled job, a job whose deadline passes.
  const draft = await postJob(
    call,
    clientA.token,
    job('React draft job', 'A React job that is still a draft.', ['react'], fixed(1_000, 2_000)),
    { publish: false },
  )
  const closed = await postJob(
    call,
    clientB.token,
    job('React job that closed', 'Closed React work.', ['react'], fixed(1_000, 2_000)),
  )
  t.equal(
    (await call({ method: 'POST', url: `/api/v1/jobs/${closed.id}/close`, token: clientB.token })).statusCode,
    200,
  )
  const cancelled = await postJob(
    call,
    clientB.token,
    job('React job that was cancelled', 'Cancelled React work.', ['react'], fixed(1_000, 2_000)),
  )
  t.equal(
    (await call({ method: 'POST', url: `/api/v1/jobs/${cancelled.id}/cancel`, token: clientB.token })).statusCode,
    200,
  )
  await postJob(
    call,
    clientB.token,
    job('React job with a short deadline', 'React work, proposals close soon.', ['react'], {
      ...fixed(1_000, 2_000),
      proposalDeadline: new Date(clock.now().getTime() + 30 * MINUTE).toISOString(),
    }),
  )
  clock.advance(HOUR)

  const names = new Map<string, string>([
    [landing.id, 'landing'],
    [logo.id, 'logo'],
    [mobile.id, 'mobile'],
    [pipeline.id, 'pipeline'],
    [secret.id, 'secret'],
    [draft.id, 'draft'],
    [closed.id, 'closed'],
    [cancelled.id, 'cancelled'],
  ])
  const search = async (query: string, token?: string) => {
    const response = await call({ method: 'GET', url: `/api/v1/jobs?${query}`, token })
    t.equal(response.statusCode, 200, `GET /jobs?${query}`)
    const body = response.json()
    return {
      names: (body.items as Array<{ id: string }>).map((j) => names.get(j.id) ?? j.id),
      nextCursor: body.nextCursor as string | null,
    }
  }
  const sorted = (list: string[]) => [...list].sort()

  // Words: stemming, phrases, exclusion; relevance order is the database's, so compare sets.
  t.same(sorted((await search('q=react')).names), ['landing', 'mobile'], 'anonymous: only public open jobs match')
  t.same(
    sorted((await search('q=react', stranger.token)).names),
    ['landing', 'mobile'],
    'a stranger does not see the invite-only job',
  )
  t.same(
    sorted((await search('q=react', invited.token)).names),
    ['landing', 'mobile', 'secret'],
    'the invited freelancer sees it',
  )
  t.same(sorted((await search('q=react', clientA.token)).names), ['landing', 'mobile', 'secret'], 'its client sees it')
  t.same(sorted((await search('q=react', clientB.token)).names), ['landing', 'mobile'], 'another client does not')
  t.same((await search('q=%22landing+page%22')).names, ['landing'], 'a quoted phrase')
  t.same((await search('q=react+-native')).names, ['landing'], 'an excluded word')
  t.same((await search('q=designing')).names, ['logo'], 'English stemming (designing ~ design)')
  t.same((await search('q=airflow+OR+bakery&sort=recent')).names, ['pipeline', 'logo'], 'or, newest first')
  t.same((await search('q=the')).names, [], 'stop words alone match nothing')
  t.same((await search('q=react&sort=recent', invited.token)).names, ['secret', 'mobile', 'landing'], 'recent order')
  // Relevance: the title-and-description match ranks above a single mention.
  const ranked = (await search('q=react+native')).names
  t.equal(ranked[0], 'mobile', 'the best match comes first')

  // Filters.
  t.same(
    (await search('sort=recent')).names,
    ['pipeline', 'mobile', 'logo', 'landing'],
    'everything open and public, newest first',
  )
  t.same((await search('skills=react')).names, ['mobile', 'landing'], 'a skill')
  t.same(
    (await search('skills=React,TypeScript')).names,
    ['landing'],
    'all the skills, case-insensitive, comma-separated',
  )
  t.same((await search('skills=react&skills=css')).names, ['landing'], 'all the skills, repeated parameter')
  t.same((await search('skills=react+native')).names, ['mobile'], 'a skill with a space')
  t.same((await search('arrangement=hourly')).names, ['pipeline', 'mobile'], 'arrangement')
  t.same((await search('minBudget=60000')).names, ['landing'], 'budget reaching at least')
  t.same((await search('maxBudget=5000')).names, ['pipeline', 'mobile'], 'budget starting at most (hourly: the rate)')
  t.same((await search('arrangement=hourly&minBudget=8500')).names, ['pipeline'], 'combined filters')
  t.same((await search('currency=EUR')).names, ['pipeline'], 'currency')
  const since = new Date(start.getTime() + 90 * MINUTE).toISOString()
  t.same((await search(`postedSince=${encodeURIComponent(since)}`)).names, ['pipeline', 'mobile'], 'posted since')
  t.same(
    (await search(`postedSince=${encodeURIComponent(since)}`, invited.token)).names,
    ['secret', 'pipeline', 'mobile'],
    'posted since, invited',
  )
  t.same(
    (await search('q=react&arrangement=fixed', invited.token)).names.sort(),
    ['landing', 'secret'],
    'words and filters together',
  )

  // Pagination: pages join up to the whole list, without overlap, in both orders.
  const walk = async (query: string, token?: string) => {
    const seen: string[][] = []
    let cursor: string | null = null
    do {
      const page = await search(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token)
      seen.push(page.names)
      cursor = page.nextCursor
    } while (cursor && seen.length < 20)
    return seen
  }
  t.same(
    await walk('limit=2'),
    [
      ['pipeline', 'mobile'],
      ['logo', 'landing'],
    ],
    'recent, two by two',
  )
  t.same(
    await walk('limit=2', invited.token),
    [['secret', 'pipeline'], ['mobile', 'logo'], ['landing']],
    'recent, invited',
  )
  const all = (await search('q=react', invited.token)).names
  t.same((await walk('q=react&limit=1', invited.token)).flat(), all, 'relevance, one by one, same order as one page')

  // Ties: identical text published at the same instant still pages exactly once each.
  const twins = []
  for (let i = 0; i < 3; i++)
    twins.push(
      await postJob(call, clientB.token, job('Kotlin twin job', 'Kotlin work.', ['kotlin'], fixed(1_000, 2_000))),
    )
  const expected = twins
    .map((j) => j.id)
    .sort()
    .reverse()
  for (const query of ['q=kotlin&limit=1', 'skills=kotlin&limit=1']) {
    const pages = await walk(query)
    t.same(pages.flat(), expected, `${query}: ties broken by id, each exactly once`)
  }

  // Cursors are checked: garbage, or one from the other order, is a 400.
  const recentCursor = (await search('limit=1')).nextCursor!
  const bad = await call({ method: 'GET', url: `/api/v1/jobs?q=react&cursor=${encodeURIComponent(recentCursor)}` })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'request.bad_cursor')
  const forged = Buffer.from(JSON.stringify({ s: 'n', t: 'yesterday', i: "'; drop table jobs; --" })).toString(
    'base64url',
  )
  t.equal((await call({ method: 'GET', url: `/api/v1/jobs?cursor=${forged}` })).statusCode, 400)
  t.equal((await call({ method: 'GET', url: '/api/v1/jobs?limit=101' })).statusCode, 400)
  t.equal((await call({ method: 'GET', url: '/api/v1/jobs?arrangement=weekly' })).statusCode, 400)

  // Direct reads follow the same visibility.
  t.equal((await call({ method: 'GET', url: `/api/v1/jobs/${secret.id}`, token: stranger.token })).statusCode, 404)
  t.equal((await call({ method: 'GET', url: `/api/v1/jobs/${secret.id}` })).statusCode, 404)
  t.equal((await call({ method: 'GET', url: `/api/v1/jobs/${secret.id}`, token: invited.token })).statusCode, 200)
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/jobs/${draft.id}`, token: invited.token })).statusCode,
    404,
    'drafts are the client’s alone',
  )
  t.equal((await call({ method: 'GET', url: `/api/v1/jobs/${draft.id}`, token: clientA.token })).statusCode, 200)
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/jobs/${closed.id}` })).statusCode,
    200,
    'a closed public job can still be read',
  )
  t.equal(
    (await call({ method: 'GET', url: `/api/v1/jobs/${cancelled.id}` })).statusCode,
    404,
    'a cancelled job is gone for outsiders',
  )
  const mine = await call({ method: 'GET', url: '/api/v1/me/jobs?state=draft', token: clientA.token })
  t.same(
    mine.json().items.map((j: { id: string }) => j.id),
    [draft.id],
    'the client finds their drafts under /me/jobs',
  )
  const othersMine = await call({ method: 'GET', url: '/api/v1/me/jobs', token: invited.token })
  t.same(othersMine.json().items, [], 'nobody else’s jobs show under /me/jobs')

  // The text search of open jobs is served by a GIN index on the generated tsvector, on this database too.
  let plan: Array<Record<string, unknown>> = []
  await app.db
    .transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`)
      // On a table this small the recency index (same predicate) costs the same: drop it in this
      // transaction only, which is rolled back.
      await tx.execute(sql`drop index jobs_open_recent_idx`)
      plan = await queryRows<Record<string, unknown>>(
        tx,
        sql`explain select id from jobs where state = 'open' and search @@ websearch_to_tsquery('english', 'react')`,
      )
      tx.rollback()
    })
    .catch((err: unknown) => {
      if (!(err instanceof TransactionRollbackError)) throw err
    })
  t.match(
    plan.map((row) => Object.values(row).join(' ')).join('\n'),
    /jobs_open_search_idx/,
    'the planner can use jobs_open_search_idx',
  )
  const index = await queryRows<Record<string, unknown>>(
    app.db,
    sql`select indexdef from pg_indexes where indexname = 'jobs_open_search_idx'`,
  )
  t.match(String(index[0]?.indexdef), /USING gin/i)
})
