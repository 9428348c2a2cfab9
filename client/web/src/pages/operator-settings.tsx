import { useState } from 'preact/hooks'
import type { Answer } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { formatDateTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { errorFor, errorText, FormError, SubmitButton, TextField, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Empty, Loading } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

type SettingsView = Answer<'/api/v1/admin/settings', 'get'>
type Setting = SettingsView['items'][number]
type Change = Answer<'/api/v1/admin/settings/changes', 'get'>['items'][number]

const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** A setting's value as a reader says it: "14 days", "Monday", "12:00 UTC", "10 %". */
function valueText(setting: Pick<Setting, 'unit'>, value: number): string {
  switch (setting.unit) {
    case 'days':
      return `${value} ${value === 1 ? 'day' : 'days'}`
    case 'hours':
      return `${value} ${value === 1 ? 'hour' : 'hours'}`
    case 'hour':
      return `${String(value).padStart(2, '0')}:00 UTC`
    case 'weekday':
      return weekdays[value] ?? String(value)
    case 'bps':
      return `${value / 100} %`
    default:
      return String(value)
  }
}

function boundsText(setting: Setting): string {
  switch (setting.unit) {
    case 'hour':
      return `hour of the day, ${setting.minimum}–${setting.maximum} (UTC)`
    case 'weekday':
      return '0 = Sunday, 1 = Monday … 6 = Saturday'
    case 'bps':
      return `basis points, ${setting.minimum}–${setting.maximum} (100 = 1 %)`
    default:
      return `${setting.minimum}–${setting.maximum} ${setting.unit}`
  }
}

/** The operator's deadlines, fees and defaults, and every change made to them. */
export function OperatorSettingsPage() {
  const user = useRequireUser()
  usePageTitle('Operator settings')
  const view = useLoad(
    () => (user?.role === 'operator' ? ok(api.GET('/api/v1/admin/settings')) : Promise.resolve(null)),
    [user?.role],
  )
  const [changesVersion, setChangesVersion] = useState(0)
  if (!user) return <Loading />
  if (user.role !== 'operator')
    return (
      <section class="page narrow">
        <h1>Settings</h1>
        <p>Only operators can open this page.</p>
      </section>
    )
  return (
    <section class="page">
      <p>
        <a href="/operator">← Operator console</a>
      </p>
      <h1>Settings</h1>
      <p class="muted">
        Deadlines, fees and defaults of this Workroom. A change applies to deadlines created after it; a deadline
        already set keeps its date. Users see every deadline as a date and time in their own time zone.
      </p>
      <Async state={view}>
        {(data) =>
          data && (
            <SettingsForm
              view={data}
              onSaved={(next) => {
                view.set(next)
                setChangesVersion((n) => n + 1)
              }}
            />
          )
        }
      </Async>
      <ChangeLog version={changesVersion} items={view.data?.items ?? []} />
    </section>
  )
}

function SettingsForm({ view, onSaved }: { view: SettingsView; onSaved(view: SettingsView): void }) {
  const notify = useNotify()
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(view.items.map((s) => [s.key, String(s.value)])),
  )
  const { busy, error, run } = useSubmit()
  const changed = view.items.filter((s) => texts[s.key]?.trim() !== String(s.value))

  const save = () =>
    run(async () => {
      if (changed.length === 0) return notify('Nothing to save: every value is already in force')
      // The server checks the bounds and names the setting that is out of them; a text that
      // is not a whole number goes as it is, so that answer names it too.
      const body = Object.fromEntries(
        changed.map((s) => [s.key, /^-?\d+$/.test(texts[s.key]!.trim()) ? Number(texts[s.key]) : texts[s.key]]),
      )
      const result = await ok(api.PATCH('/api/v1/admin/settings', { body: body as never }))
      setTexts(Object.fromEntries(result.items.map((s) => [s.key, String(s.value)])))
      onSaved({ values: result.values, items: result.items })
      notify(result.changes.length === 1 ? '1 setting changed' : `${result.changes.length} settings changed`)
    })

  return (
    <form
      class="stack"
      data-testid="settings-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      {view.items.map((s) => (
        <TextField
          key={s.key}
          id={s.key}
          type="number"
          min={s.minimum}
          max={s.maximum}
          step={1}
          label={
            <>
              <code>{s.key}</code> · now {valueText(s, s.value)}
              {s.value !== s.default && <span class="muted"> (default {valueText(s, s.default)})</span>}
            </>
          }
          hint={`${s.description} Allowed: ${boundsText(s)}.`}
          value={texts[s.key] ?? ''}
          onValue={(value) => setTexts({ ...texts, [s.key]: value })}
          error={errorFor(error, s.key)}
        />
      ))}
      <FormError error={error} fields={view.items.map((s) => s.key)} />
      <SubmitButton busy={busy}>{changed.length > 1 ? `Save ${changed.length} changes` : 'Save'}</SubmitButton>
    </form>
  )
}

/** The audit log: who changed what, when, from which value to which. */
function ChangeLog({ version, items }: { version: number; items: Setting[] }) {
  const [older, setOlder] = useState<Change[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const first = useLoad(async () => {
    const page = await ok(api.GET('/api/v1/admin/settings/changes', { params: { query: { limit: 50 } } }))
    setOlder([])
    setCursor(page.nextCursor)
    return page.items
  }, [version])
  const unitOf = (key: string) => items.find((s) => s.key === key) ?? { unit: '' }
  const more = async () => {
    try {
      const page = await ok(
        api.GET('/api/v1/admin/settings/changes', { params: { query: { limit: 50, cursor: cursor! } } }),
      )
      setOlder([...older, ...page.items])
      setCursor(page.nextCursor)
    } catch (err) {
      setError(err)
    }
  }
  return (
    <section aria-labelledby="settings-changes">
      <h2 id="settings-changes">Changes</h2>
      <Async state={first}>
        {(latest) =>
          latest.length === 0 ? (
            <Empty>No setting was changed yet: every one follows its default.</Empty>
          ) : (
            <>
              <table class="table" data-testid="settings-changes">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Setting</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {[...latest, ...older].map((c) => (
                    <tr key={c.id}>
                      <td>{formatDateTime(c.changedAt)}</td>
                      <td>
                        <a href={`/users/${c.changedBy.id}`}>{c.changedBy.name}</a>
                      </td>
                      <td>
                        <code>{c.key}</code>
                      </td>
                      <td>
                        {valueText(unitOf(c.key), c.oldValue)} → {valueText(unitOf(c.key), c.newValue)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {cursor && (
                <button type="button" class="button" onClick={() => void more()}>
                  Older changes
                </button>
              )}
              {error !== null && (
                <p class="form-error" role="alert">
                  {errorText(error)}
                </p>
              )}
            </>
          )
        }
      </Async>
    </section>
  )
}
