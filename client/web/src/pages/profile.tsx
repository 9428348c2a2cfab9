import { useRoute } from 'preact-iso'
import { useEffect, useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { browserTimeZone, formatDate, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser, useSession } from '../lib/session.js'
import {
  errorFor,
  FormError,
  MoneyField,
  moneyText,
  moneyValue,
  SelectField,
  SubmitButton,
  TextArea,
  TextField,
  useSubmit,
} from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Empty, Loading } from '../ui/states.js'
import type { PublicUser } from '../../../sdk/types.js'
import { FeedbackCard, type ContractFeedback } from './contract-feedback.js'
import { usePageTitle } from '../lib/title.js'
import { CURRENCIES, type Currency } from '../../../../common/money.js'
import { PortfolioEditor, portfolioBody, PortfolioLinks, type PortfolioRow } from './profile-portfolio.js'

type Reputation = NonNullable<PublicUser['reputation']>
type RatingSummary = Reputation['freelancer']['rating']

/** A public profile with its reputation, the formula's inputs and the revealed feedback. */
export function ProfilePage() {
  const { params } = useRoute()
  const id = params.id!
  const profile = useLoad(() => ok(api.GET('/api/v1/users/{id}', { params: { path: { id } } })), [id])
  usePageTitle(profile.data && `Profile: ${profile.data.name}`)
  return (
    <section class="page narrow">
      <Async state={profile}>
        {(p) => (
          <article>
            <h1>{p.name}</h1>
            {p.headline && <p class="meta">{p.headline}</p>}
            <dl class="facts">
              {p.hourlyRate !== null && (
                <>
                  <dt>Rate</dt>
                  <dd>{formatMoney(p.hourlyRate, p.rateCurrency)} / h</dd>
                </>
              )}
              <dt>Time zone</dt>
              <dd>{p.timeZone}</dd>
              <dt>Member since</dt>
              <dd>{formatDate(p.createdAt)}</dd>
              <dt>Account id</dt>
              <dd>
                <code>{p.id}</code>
              </dd>
            </dl>
            {p.bio && <div class="prose">{p.bio}</div>}
            {p.skills.length > 0 && (
              <ul class="tags" aria-label="Skills">
                {p.skills.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            )}
            <PortfolioLinks links={p.portfolioLinks} />
            {p.reputation ? (
              <ReputationView reputation={p.reputation} />
            ) : (
              <Empty>Reputation is not available on this server.</Empty>
            )}
            <ReceivedFeedback profile={p} />
          </article>
        )}
      </Async>
    </section>
  )
}

/** Your own profile: name, headline, skills, rate, time zone. */
export function SettingsPage() {
  usePageTitle('Your profile')
  const user = useRequireUser()
  const { setUser } = useSession()
  const notify = useNotify()
  const [form, setForm] = useState<null | {
    name: string
    headline: string
    bio: string
    skills: string
    rate: string
    currency: string
    timeZone: string
    links: PortfolioRow[]
  }>(null)
  useEffect(() => {
    if (user && !form)
      setForm({
        name: user.name,
        headline: user.headline ?? '',
        bio: user.bio ?? '',
        skills: user.skills.join(', '),
        rate: moneyText(user.hourlyRate, user.rateCurrency),
        currency: user.rateCurrency,
        timeZone: user.timeZone,
        links: user.portfolioLinks,
      })
  }, [user, form])
  const { busy, error, run } = useSubmit()
  if (!user || !form) return <Loading />
  const set = (key: Exclude<keyof typeof form, 'links'>) => (value: string) => setForm({ ...form, [key]: value })
  return (
    <section class="page narrow">
      <h1>Your profile</h1>
      <p class="muted">
        Public page: <a href={`/users/${user.id}`}>/users/{user.id}</a> · <a href="/settings/security">Security</a> ·{' '}
        <a href="/settings/account">Email and password</a>
      </p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          void run(async () => {
            const rate = form.rate.trim() ? moneyValue(form.rate, form.currency) : null
            const me = await ok(
              api.PATCH('/api/v1/me', {
                body: {
                  name: form.name,
                  headline: form.headline.trim() || null,
                  bio: form.bio.trim() || null,
                  skills: form.skills
                    .split(',')
                    .map((s) => s.trim())
                    .filter(Boolean),
                  hourlyRate: rate === undefined ? -1 : rate,
                  rateCurrency: form.currency as Currency,
                  timeZone: form.timeZone,
                  portfolioLinks: portfolioBody(form.links),
                },
              }),
            )
            setUser(me)
            notify('Profile saved')
          })
        }}
      >
        <TextField id="name" label="Name" value={form.name} onValue={set('name')} error={errorFor(error, 'name')} />
        <TextField
          id="headline"
          label="Headline"
          value={form.headline}
          onValue={set('headline')}
          error={errorFor(error, 'headline')}
        />
        <TextArea id="bio" label="About you" value={form.bio} onValue={set('bio')} error={errorFor(error, 'bio')} />
        <TextField
          id="skills"
          label="Skills"
          hint="Comma-separated."
          value={form.skills}
          onValue={set('skills')}
          error={errorFor(error, 'skills')}
        />
        <MoneyField
          id="rate"
          label="Hourly rate"
          currency={form.currency}
          value={form.rate}
          onValue={set('rate')}
          error={errorFor(error, 'hourlyRate')}
        />
        <SelectField
          id="rate-currency"
          label="Rate currency"
          value={form.currency as Currency}
          onValue={set('currency')}
          options={CURRENCIES.map((c) => ({ value: c, label: c }))}
          error={errorFor(error, 'rateCurrency')}
        />
        <TextField
          id="timeZone"
          label="Time zone"
          hint={`Times are shown in this zone. Your browser says ${browserTimeZone()}.`}
          value={form.timeZone}
          onValue={set('timeZone')}
          error={errorFor(error, 'timeZone', { 'accounts.invalid_time_zone': 'timeZone' })}
        />
        <PortfolioEditor rows={form.links} onRows={(links) => setForm({ ...form, links })} error={error} />
        <FormError
          error={error}
          fields={['name', 'headline', 'bio', 'skills', 'hourlyRate', 'rateCurrency', 'timeZone', 'portfolioLinks']}
          codeFields={{ 'accounts.invalid_time_zone': 'timeZone' }}
        />
        <SubmitButton busy={busy}>Save profile</SubmitButton>
      </form>
    </section>
  )
}

const percent = (value: number | null) => (value === null ? '—' : `${value.toFixed(2)} %`)
const score = (value: number | null) => (value === null ? 'not rated yet' : `${value.toFixed(2)} / 5`)
const moneyList = (list: Array<{ currency: string; amount: number }>) =>
  list.length === 0 ? formatMoney(0, 'USD') : list.map((m) => formatMoney(m.amount, m.currency)).join(' · ')

/** The reputation figures and, beside each score, every input the formula used. */
function ReputationView({ reputation: r }: { reputation: Reputation }) {
  return (
    <section data-testid="reputation" aria-labelledby="reputation-title">
      <h2 id="reputation-title">Reputation</h2>
      <p class="muted">
        Computed {formatDate(r.computedAt)} by the open formula (version {r.formulaVersion}, {r.formula}): feedback
        scores weighted by the money paid on each contract, over the last {r.windowDays} days.
      </p>
      <h3>As a freelancer</h3>
      <dl class="facts">
        <dt>Score</dt>
        <dd data-testid="freelancer-score">{score(r.freelancer.rating.score)}</dd>
        <dt>Completed contracts</dt>
        <dd data-testid="freelancer-completed">
          {r.freelancer.completedContracts} (of {r.freelancer.contracts} started)
        </dd>
        <dt>Earned</dt>
        <dd>{moneyList(r.freelancer.totalEarned)}</dd>
        <dt>Milestones without dispute</dt>
        <dd>
          {r.freelancer.milestones.releasedWithoutDispute} of {r.freelancer.milestones.finished} (
          {percent(r.freelancer.milestones.sharePercent)})
        </dd>
      </dl>
      <RatingInputs rating={r.freelancer.rating} testId="freelancer-inputs" />
      <h3>As a client</h3>
      <dl class="facts">
        <dt>Score</dt>
        <dd data-testid="client-score">{score(r.client.rating.score)}</dd>
        <dt>Completed contracts</dt>
        <dd>{r.client.completedContracts}</dd>
        <dt>Jobs posted</dt>
        <dd>
          {r.client.jobsPosted} · hired on {r.client.jobsWithHire} ({percent(r.client.hireRatePercent)})
        </dd>
        <dt>Spent</dt>
        <dd>{moneyList(r.client.totalSpent)}</dd>
        <dt>Approvals</dt>
        <dd>
          {r.client.approvals.count}
          {r.client.approvals.averageDays !== null &&
            `, after ${r.client.approvals.averageDays.toFixed(2)} days on average`}
        </dd>
        <dt>Disputes</dt>
        <dd>
          {r.client.disputes.resolved} resolved, {r.client.disputes.lost} lost
        </dd>
      </dl>
      <RatingInputs rating={r.client.rating} testId="client-inputs" />
    </section>
  )
}

function RatingInputs({ rating, testId }: { rating: RatingSummary; testId: string }) {
  if (rating.inputs.length === 0)
    return <p class="muted">No revealed feedback since {formatDate(rating.windowStart)}.</p>
  return (
    <table class="table" data-testid={testId}>
      <caption class="visually-hidden">The formula’s inputs</caption>
      <thead>
        <tr>
          <th>Contract ended</th>
          <th>Score</th>
          <th>Paid (weight)</th>
        </tr>
      </thead>
      <tbody>
        {rating.inputs.map((input) => (
          <tr key={input.contractId}>
            <td>{formatDate(input.endedAt)}</td>
            <td>{input.score.toFixed(2)}</td>
            <td>{formatMoney(input.amount, input.currency)}</td>
          </tr>
        ))}
        {rating.byCurrency.map((c) => (
          <tr key={c.currency}>
            <th scope="row">Average in {c.currency}</th>
            <td>{c.average === null ? '—' : c.average.toFixed(2)}</td>
            <td>
              {formatMoney(c.amount, c.currency)} over {c.contracts} contract{c.contracts === 1 ? '' : 's'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Revealed feedback about this person (GET /api/v1/users/:id/feedback), newest reveal first. */
function ReceivedFeedback({ profile }: { profile: PublicUser }) {
  const { user } = useSession()
  const feedback = useLoad(
    async () =>
      (await ok(api.GET('/api/v1/users/{id}/feedback', { params: { path: { id: profile.id }, query: { limit: 50 } } })))
        .items as ContractFeedback['items'],
    [profile.id],
  )
  return (
    <section data-testid="received-feedback" aria-labelledby="received-title">
      <h2 id="received-title">Feedback received</h2>
      <Async state={feedback} label="Loading feedback…">
        {(items) =>
          items.length === 0 ? (
            <Empty>No revealed feedback yet.</Empty>
          ) : (
            <ul class="plain list">
              {items.map((item) => (
                <FeedbackCard key={item.id} item={item} user={user ?? null} onChange={() => void feedback.reload()} />
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  )
}
