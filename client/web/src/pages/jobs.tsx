import { useLocation } from 'preact-iso'
import { useState } from 'preact/hooks'
import { CURRENCIES, type Currency } from '../../../../common/money.js'
import type { Job } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useLoad } from '../lib/load.js'
import { errorFor, moneyText, moneyValue } from '../ui/forms.js'
import { JobCard } from '../ui/job-card.js'
import { Empty, ErrorState, Loading } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

const since: Record<string, number> = { day: 1, week: 7, month: 30 }

/** The job board: full-text search and filters, kept in the address so a search can be shared. */
export function JobBoard() {
  const { query, route, path } = useLocation()
  usePageTitle('Find work')
  const q = query.q ?? ''
  const arrangement = query.arrangement === 'fixed' || query.arrangement === 'hourly' ? query.arrangement : ''
  const skills = query.skills ?? ''
  const currency = (CURRENCIES as readonly string[]).includes(query.currency ?? '')
    ? (query.currency as Currency)
    : 'USD'
  const minBudget = query.minBudget ?? ''
  const maxBudget = query.maxBudget ?? ''
  const posted = query.posted ?? ''
  const sort = query.sort === 'recent' ? 'recent' : query.sort === 'relevance' ? 'relevance' : ''

  const [form, setForm] = useState({
    q,
    arrangement,
    skills,
    currency,
    min: moneyText(minBudget ? Number(minBudget) : null, currency),
    max: moneyText(maxBudget ? Number(maxBudget) : null, currency),
    posted,
    sort,
  })
  const [more, setMore] = useState<{ items: Job[]; cursor: string | null } | null>(null)

  const search = (cursor?: string) => {
    const skillList = skills
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    return ok(
      api.GET('/api/v1/jobs', {
        params: {
          query: {
            ...(q ? { q } : {}),
            ...(arrangement ? { arrangement } : {}),
            ...(skillList.length ? { skills: skillList } : {}),
            ...(minBudget || maxBudget ? { currency } : {}),
            ...(minBudget ? { minBudget: Number(minBudget) } : {}),
            ...(maxBudget ? { maxBudget: Number(maxBudget) } : {}),
            ...(posted && since[posted]
              ? { postedSince: new Date(Date.now() - since[posted]! * 86_400_000).toISOString() }
              : {}),
            ...(sort ? { sort } : {}),
            limit: 20,
            ...(cursor ? { cursor } : {}),
          },
        },
      }),
    )
  }
  const results = useLoad(() => {
    setMore(null)
    return search()
  }, [q, arrangement, skills, currency, minBudget, maxBudget, posted, sort])

  const apply = (event: Event) => {
    event.preventDefault()
    const params = new URLSearchParams()
    if (form.q.trim()) params.set('q', form.q.trim())
    if (form.arrangement) params.set('arrangement', form.arrangement)
    if (form.skills.trim()) params.set('skills', form.skills.trim())
    const min = moneyValue(form.min, form.currency)
    const max = moneyValue(form.max, form.currency)
    if (min !== undefined) params.set('minBudget', String(min))
    if (max !== undefined) params.set('maxBudget', String(max))
    if (min !== undefined || max !== undefined) params.set('currency', form.currency)
    if (form.posted) params.set('posted', form.posted)
    if (form.sort) params.set('sort', form.sort)
    const text = params.toString()
    route(`${path === '/' ? '/jobs' : path}${text ? `?${text}` : ''}`)
  }

  const items = [...(results.data?.items ?? []), ...(more?.items ?? [])]
  const nextCursor = more ? more.cursor : (results.data?.nextCursor ?? null)
  const [loadingMore, setLoadingMore] = useState(false)

  return (
    <section class="page">
      <h1>Find work</h1>
      <form class="search" role="search" onSubmit={apply}>
        <div class="search-main">
          <label for="q" class="visually-hidden">
            Search jobs
          </label>
          <input
            id="q"
            type="search"
            placeholder="Search jobs: “landing page”, “react native”…"
            value={form.q}
            onInput={(e) => setForm({ ...form, q: e.currentTarget.value })}
          />
          <button type="submit" class="button button--primary">
            Search
          </button>
        </div>
        <details class="filters" open={Boolean(arrangement || skills || minBudget || maxBudget || posted)}>
          <summary>Filters</summary>
          <div class="filter-grid">
            <div class="field">
              <label for="f-arrangement">Arrangement</label>
              <select
                id="f-arrangement"
                value={form.arrangement}
                onChange={(e) => setForm({ ...form, arrangement: e.currentTarget.value as typeof arrangement })}
              >
                <option value="">Any</option>
                <option value="fixed">Fixed price</option>
                <option value="hourly">Hourly</option>
              </select>
            </div>
            <div class="field">
              <label for="f-skills">Skills (comma-separated)</label>
              <input
                id="f-skills"
                value={form.skills}
                onInput={(e) => setForm({ ...form, skills: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label for="f-currency">Currency</label>
              <select
                id="f-currency"
                value={form.currency}
                onChange={(e) => setForm({ ...form, currency: e.currentTarget.value as typeof currency })}
              >
                {CURRENCIES.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="f-min">Budget from</label>
              <input
                id="f-min"
                inputMode="decimal"
                value={form.min}
                onInput={(e) => setForm({ ...form, min: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label for="f-max">Budget up to</label>
              <input
                id="f-max"
                inputMode="decimal"
                value={form.max}
                onInput={(e) => setForm({ ...form, max: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label for="f-posted">Posted</label>
              <select
                id="f-posted"
                value={form.posted}
                onChange={(e) => setForm({ ...form, posted: e.currentTarget.value })}
              >
                <option value="">Any time</option>
                <option value="day">Last 24 hours</option>
                <option value="week">Last 7 days</option>
                <option value="month">Last 30 days</option>
              </select>
            </div>
            <div class="field">
              <label for="f-sort">Sort by</label>
              <select
                id="f-sort"
                value={form.sort}
                onChange={(e) => setForm({ ...form, sort: e.currentTarget.value as typeof sort })}
              >
                <option value="">Best match</option>
                <option value="relevance">Relevance</option>
                <option value="recent">Newest</option>
              </select>
            </div>
          </div>
        </details>
      </form>
      {results.error ? (
        <ErrorState error={results.error} retry={() => void results.reload()} />
      ) : results.loading && !results.data ? (
        <Loading label="Searching…" />
      ) : items.length === 0 ? (
        <Empty>
          <p>No open jobs match{q ? ` “${q}”` : ''}.</p>
          {errorFor(results.error, 'q')}
        </Empty>
      ) : (
        <div class="list" aria-live="polite">
          <p class="muted">
            {results.loading
              ? 'Updating…'
              : `${items.length}${nextCursor ? '+' : ''} job${items.length === 1 ? '' : 's'}`}
          </p>
          {items.map((job) => (
            <JobCard key={job.id} job={job} />
          ))}
          {nextCursor && (
            <button
              type="button"
              class="button"
              disabled={loadingMore}
              onClick={async () => {
                setLoadingMore(true)
                try {
                  const page = await search(nextCursor)
                  setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.nextCursor }))
                } finally {
                  setLoadingMore(false)
                }
              }}
            >
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
    </section>
  )
}
