import { useLocation, useRoute } from 'preact-iso'
import { useState } from 'preact/hooks'
import { CURRENCIES, type Currency } from '../../../../common/money.js'
import type { Job, NewJob } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import {
  errorFor,
  FormError,
  MoneyField,
  moneyText,
  moneyValue,
  SelectField,
  TextArea,
  TextField,
  useSubmit,
} from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Loading } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

const codeFields = {
  'jobs.range_required': 'budgetMin',
  'jobs.range_inverted': 'budgetMax',
  'jobs.range_mismatch': 'budgetMin',
  'jobs.deadline_in_past': 'proposalDeadline',
  'jobs.deadline_passed': 'proposalDeadline',
  'jobs.terms_locked': 'arrangement',
}

/** A datetime-local value (the reader's local time) from an ISO instant, and back. */
const toLocalInput = (iso: string | null) => {
  if (!iso) return ''
  const d = new Date(iso)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : null)

/** Post a job (`/jobs/new`) or edit one (`/jobs/:id/edit`). */
export function JobForm() {
  const user = useRequireUser()
  const { params } = useRoute()
  const id = params.id
  const job = useLoad(
    () => (id ? ok(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } })) : Promise.resolve(null)),
    [id],
  )
  if (!user) return <Loading />
  if (!id) return <JobEditor job={null} />
  return <Async state={job}>{(loaded) => <JobEditor job={loaded} />}</Async>
}

function JobEditor({ job }: { job: Job | null }) {
  const { route } = useLocation()
  const notify = useNotify()
  const [title, setTitle] = useState(job?.title ?? '')
  const [description, setDescription] = useState(job?.description ?? '')
  const [category, setCategory] = useState(job?.category ?? '')
  const [skills, setSkills] = useState(job?.skills.join(', ') ?? '')
  const [arrangement, setArrangement] = useState<'fixed' | 'hourly'>(job?.arrangement ?? 'fixed')
  const [currency, setCurrency] = useState<Currency>((job?.currency as Currency) ?? 'USD')
  const [min, setMin] = useState(
    moneyText(job ? (job.arrangement === 'fixed' ? job.budgetMin : job.rateMin) : null, job?.currency ?? 'USD'),
  )
  const [max, setMax] = useState(
    moneyText(job ? (job.arrangement === 'fixed' ? job.budgetMax : job.rateMax) : null, job?.currency ?? 'USD'),
  )
  const [visibility, setVisibility] = useState<'public' | 'invite-only'>(job?.visibility ?? 'public')
  const [deadline, setDeadline] = useState(toLocalInput(job?.proposalDeadline ?? null))
  const { busy, error, run } = useSubmit()
  usePageTitle(job ? `Edit job: ${job.title}` : 'Post a job')

  const body = (): NewJob => {
    const low = moneyValue(min, currency)
    const high = moneyValue(max, currency)
    const range =
      arrangement === 'fixed'
        ? { ...(low !== undefined ? { budgetMin: low } : {}), ...(high !== undefined ? { budgetMax: high } : {}) }
        : { ...(low !== undefined ? { rateMin: low } : {}), ...(high !== undefined ? { rateMax: high } : {}) }
    return {
      title: title.trim(),
      description,
      category: category.trim() || null,
      skills: skills
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      arrangement,
      currency,
      ...range,
      visibility,
      proposalDeadline: fromLocalInput(deadline),
    }
  }

  const save = (publish: boolean) =>
    run(async () => {
      let saved: Job
      if (job) {
        const changes = body()
        // An open job with proposals keeps its arrangement and currency: send them only when changed.
        const patch: Partial<NewJob> = { ...changes }
        if (changes.arrangement === job.arrangement) delete patch.arrangement
        if (changes.currency === job.currency) delete patch.currency
        saved = await ok(api.PATCH('/api/v1/jobs/{id}', { params: { path: { id: job.id } }, body: patch }))
      } else {
        saved = await ok(api.POST('/api/v1/jobs', { body: body() }))
      }
      if (publish && saved.state === 'draft')
        saved = await ok(api.POST('/api/v1/jobs/{id}/publish', { params: { path: { id: saved.id } } }))
      notify(publish ? 'Job published' : job ? 'Changes saved' : 'Draft saved')
      route(`/jobs/${saved.id}`)
    })

  const rangeField = arrangement === 'fixed' ? ['budgetMin', 'budgetMax'] : ['rateMin', 'rateMax']
  const fields = [
    'title',
    'description',
    'category',
    'skills',
    'arrangement',
    'currency',
    ...rangeField,
    'visibility',
    'proposalDeadline',
  ]
  return (
    <section class="page narrow">
      <h1>{job ? 'Edit job' : 'Post a job'}</h1>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          void save(!job || job.state === 'draft')
        }}
      >
        <TextField
          id="title"
          label="Title"
          value={title}
          onValue={setTitle}
          required
          maxLength={200}
          error={errorFor(error, 'title', codeFields)}
        />
        <TextArea
          id="description"
          label="Description"
          value={description}
          onValue={setDescription}
          rows={8}
          required
          error={errorFor(error, 'description', codeFields)}
        />
        <div class="row">
          <TextField
            id="category"
            label="Category"
            value={category}
            onValue={setCategory}
            error={errorFor(error, 'category', codeFields)}
          />
          <TextField
            id="skills"
            label="Skills"
            hint="Comma-separated, e.g. typescript, css"
            value={skills}
            onValue={setSkills}
            error={errorFor(error, 'skills', codeFields)}
          />
        </div>
        <div class="row">
          <SelectField
            id="arrangement"
            label="Arrangement"
            value={arrangement}
            onValue={setArrangement}
            options={[
              { value: 'fixed', label: 'Fixed price' },
              { value: 'hourly', label: 'Hourly' },
            ]}
            error={errorFor(error, 'arrangement', codeFields)}
          />
          <SelectField
            id="currency"
            label="Currency"
            value={currency}
            onValue={setCurrency}
            options={CURRENCIES.map((c) => ({ value: c, label: c }))}
            error={errorFor(error, 'currency', codeFields)}
          />
        </div>
        <div class="row">
          <MoneyField
            id="min"
            label={arrangement === 'fixed' ? 'Budget from' : 'Hourly rate from'}
            currency={currency}
            value={min}
            onValue={setMin}
            error={errorFor(error, rangeField[0]!, codeFields)}
          />
          <MoneyField
            id="max"
            label={arrangement === 'fixed' ? 'Budget up to' : 'Hourly rate up to'}
            currency={currency}
            value={max}
            onValue={setMax}
            error={errorFor(error, rangeField[1]!, codeFields)}
          />
        </div>
        <div class="row">
          <SelectField
            id="visibility"
            label="Who can see it"
            value={visibility}
            onValue={setVisibility}
            options={[
              { value: 'public', label: 'Everyone (public)' },
              { value: 'invite-only', label: 'Only freelancers I invite' },
            ]}
            error={errorFor(error, 'visibility', codeFields)}
          />
          <TextField
            id="deadline"
            label="Proposals close"
            type="datetime-local"
            value={deadline}
            onValue={setDeadline}
            hint="Optional; your local time."
            error={errorFor(error, 'proposalDeadline', codeFields)}
          />
        </div>
        <FormError error={error} fields={fields} codeFields={codeFields} />
        <div class="actions">
          {(!job || job.state === 'draft') && (
            <button type="submit" class="button button--primary" disabled={busy}>
              {busy ? 'Working…' : 'Publish job'}
            </button>
          )}
          {job && job.state !== 'draft' ? (
            <button type="submit" class="button button--primary" disabled={busy}>
              {busy ? 'Working…' : 'Save changes'}
            </button>
          ) : (
            <button type="button" class="button" disabled={busy} onClick={() => void save(false)}>
              Save draft
            </button>
          )}
        </div>
      </form>
    </section>
  )
}
