import { useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { formatDateTime } from '../lib/format.js'
import { useRequireUser } from '../lib/session.js'
import { usePageTitle } from '../lib/title.js'
import { errorFor, FormError, SubmitButton, TextField, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'

const passwordFields = { 'accounts.wrong_password': 'currentPassword', 'accounts.same_password': 'newPassword' }
const emailFields = {
  'accounts.wrong_password': 'password',
  'accounts.email_taken': 'email',
  'accounts.same_email': 'email',
}

/** Settings, Account: the email address (verified or not, change it) and the password. */
export function AccountSettingsPage() {
  usePageTitle('Email and password')
  const user = useRequireUser()
  if (!user) return null
  return (
    <section class="page narrow">
      <h1>Email and password</h1>
      <p class="muted">
        <a href="/settings">Your profile</a> · <a href="/settings/security">Security</a> · Email and password
      </p>
      <section class="card" aria-labelledby="email-title">
        <h2 id="email-title">Email</h2>
        <EmailStatus email={user.email} verifiedAt={user.emailVerifiedAt} />
        <ChangeEmail />
      </section>
      <section class="card" aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <ChangePassword />
      </section>
    </section>
  )
}

function EmailStatus({ email, verifiedAt }: { email: string; verifiedAt: string | null }) {
  const notify = useNotify()
  const { busy, error, run } = useSubmit()
  const send = () =>
    void run(async () => {
      const answer = await ok(api.POST('/api/v1/me/verify-email/send'))
      notify(answer.message)
    })
  return (
    <div>
      <p>
        {email} —{' '}
        {verifiedAt ? `confirmed ${formatDateTime(verifiedAt)}` : 'not confirmed yet: open the link we mailed you.'}
      </p>
      {verifiedAt ? null : (
        <p>
          <button type="button" class="button" onClick={send} disabled={busy} aria-busy={busy}>
            Mail a new link
          </button>
        </p>
      )}
      <FormError error={error} fields={[]} />
    </div>
  )
}

function ChangeEmail() {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [pending, setPending] = useState<string | null>(null)
  const { busy, error, run } = useSubmit()
  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const answer = await ok(api.POST('/api/v1/me/email', { body: { email, password } }))
      setPending(answer.message)
      setPassword('')
    })
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Change your email">
      <TextField
        id="new-email"
        label="New email"
        type="email"
        autoComplete="email"
        value={email}
        onValue={setEmail}
        required
        error={errorFor(error, 'email', emailFields)}
      />
      <TextField
        id="email-password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={password}
        onValue={setPassword}
        required
        error={errorFor(error, 'password', emailFields)}
      />
      <FormError error={error} fields={['email', 'password']} codeFields={emailFields} />
      {pending ? <p role="status">{pending}</p> : null}
      <SubmitButton busy={busy}>Change email</SubmitButton>
    </form>
  )
}

function ChangePassword() {
  const notify = useNotify()
  const [currentPassword, setCurrent] = useState('')
  const [newPassword, setNew] = useState('')
  const { busy, error, run } = useSubmit()
  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      await ok(api.POST('/api/v1/me/password', { body: { currentPassword, newPassword } }))
      setCurrent('')
      setNew('')
      notify('Password changed; your other devices were signed out.')
    })
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Change your password">
      <TextField
        id="current-password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        onValue={setCurrent}
        required
        error={errorFor(error, 'currentPassword', passwordFields)}
      />
      <TextField
        id="new-password"
        label="New password"
        type="password"
        autoComplete="new-password"
        value={newPassword}
        onValue={setNew}
        required
        hint="At least 10 characters. Your other devices will be signed out."
        error={errorFor(error, 'newPassword', passwordFields)}
      />
      <FormError error={error} fields={['currentPassword', 'newPassword']} codeFields={passwordFields} />
      <SubmitButton busy={busy}>Change password</SubmitButton>
    </form>
  )
}
