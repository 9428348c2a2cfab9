import { useRoute } from 'preact-iso'
import { useEffect, useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { browserTimeZone, formatDate, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser, useSession } from '../lib/session.js'
import { errorFor, FormError, MoneyField, moneyText, moneyValue, SubmitButton, TextArea, TextField, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Loading } from '../ui/states.js'

/** A public profile. (Reputation figures come with the feedback module.) */
export function ProfilePage() {
  const { params } = useRoute()
  const id = params.id!
  const profile = useLoad(() => ok(api.GET('/api/v1/users/{id}', { params: { path: { id } } })), [id])
  useEffect(() => {
    if (profile.data) document.title = `${profile.data.name} · Workroom`
  }, [profile.data])
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
          </article>
        )}
      </Async>
    </section>
  )
}

/** Your own profile: name, headline, skills, rate, time zone. */
export function SettingsPage() {
  const user = useRequireUser()
  const { setUser } = useSession()
  const notify = useNotify()
  const [form, setForm] = useState<null | { name: string; headline: string; bio: string; skills: string; rate: string; currency: string; timeZone: string }>(null)
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
      })
  }, [user, form])
  const { busy, error, run } = useSubmit()
  if (!user || !form) return <Loading />
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  return (
    <section class="page narrow">
      <h1>Your profile</h1>
      <p class="muted">
        Public page: <a href={`/users/${user.id}`}>/users/{user.id}</a>
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
                  skills: form.skills.split(',').map((s) => s.trim()).filter(Boolean),
                  hourlyRate: rate === undefined ? -1 : rate,
                  timeZone: form.timeZone,
                },
              }),
            )
            setUser(me)
            notify('Profile saved')
          })
        }}
      >
        <TextField id="name" label="Name" value={form.name} onValue={set('name')} error={errorFor(error, 'name')} />
        <TextField id="headline" label="Headline" value={form.headline} onValue={set('headline')} error={errorFor(error, 'headline')} />
        <TextArea id="bio" label="About you" value={form.bio} onValue={set('bio')} error={errorFor(error, 'bio')} />
        <TextField id="skills" label="Skills" hint="Comma-separated." value={form.skills} onValue={set('skills')} error={errorFor(error, 'skills')} />
        <MoneyField id="rate" label="Hourly rate" currency={form.currency} value={form.rate} onValue={set('rate')} error={errorFor(error, 'hourlyRate')} />
        <TextField
          id="timeZone"
          label="Time zone"
          hint={`Times are shown in this zone. Your browser says ${browserTimeZone()}.`}
          value={form.timeZone}
          onValue={set('timeZone')}
          error={errorFor(error, 'timeZone', { 'accounts.invalid_time_zone': 'timeZone' })}
        />
        <FormError error={error} fields={['name', 'headline', 'bio', 'skills', 'hourlyRate', 'timeZone']} codeFields={{ 'accounts.invalid_time_zone': 'timeZone' }} />
        <SubmitButton busy={busy}>Save profile</SubmitButton>
      </form>
    </section>
  )
}
