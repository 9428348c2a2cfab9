import { useLocation } from 'preact-iso'
import { useEffect, useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { useSession } from '../lib/session.js'
import { usePageTitle } from '../lib/title.js'
import { errorFor, errorText, FormError, SubmitButton, TextField, useSubmit } from '../ui/forms.js'
import { Loading } from '../ui/states.js'

/** "Forgot your password?": one field; the answer is the same whether or not the address has an account. */
export function ForgotPasswordPage() {
  usePageTitle('Forgot your password')
  const [email, setEmail] = useState('')
  const [sent, setSent] = useState<string | null>(null)
  const { busy, error, run } = useSubmit()
  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const answer = await ok(api.POST('/api/v1/password-reset', { body: { email } }))
      setSent(answer.message)
    })
  }
  return (
    <section class="page narrow">
      <h1>Forgot your password</h1>
      {sent ? (
        <p role="status">{sent} The link works once, within 30 minutes.</p>
      ) : (
        <form onSubmit={submit} noValidate>
          <p class="muted">We will mail you a link to choose a new one.</p>
          <TextField
            id="email"
            label="Email"
            type="email"
            autoComplete="email"
            value={email}
            onValue={setEmail}
            required
            error={errorFor(error, 'email')}
          />
          <FormError error={error} fields={['email']} />
          <SubmitButton busy={busy}>Send the link</SubmitButton>
        </form>
      )}
      <p>
        <a href="/signin">Back to sign in</a>
      </p>
    </section>
  )
}

/** The mailed reset link lands here: a new password, then sign in with it. */
export function ResetPasswordPage() {
  usePageTitle('Choose a new password')
  const { query } = useLocation()
  const token = query.token ?? ''
  const [password, setPassword] = useState('')
  const [done, setDone] = useState(false)
  const { busy, error, run } = useSubmit()
  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      await ok(api.POST('/api/v1/password-reset/confirm', { body: { token, password } }))
      setDone(true)
    })
  }
  return (
    <section class="page narrow">
      <h1>Choose a new password</h1>
      {!token ? (
        <p>
          This page needs the link from your mail. <a href="/forgot-password">Ask for a new link</a>.
        </p>
      ) : done ? (
        <p role="status">
          Your password is changed and every device was signed out. <a href="/signin">Sign in</a> with the new one.
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <TextField
            id="password"
            label="New password"
            type="password"
            autoComplete="new-password"
            value={password}
            onValue={setPassword}
            required
            hint="At least 10 characters. Every device signed in to your account will be signed out."
            error={errorFor(error, 'password')}
          />
          <FormError error={error} fields={['password']} />
          <SubmitButton busy={busy}>Set the new password</SubmitButton>
          {error ? (
            <p>
              <a href="/forgot-password">Ask for a new link</a>
            </p>
          ) : null}
        </form>
      )}
    </section>
  )
}

/** The mailed verification link (or the one for a new address) lands here and is used at once. */
export function VerifyEmailPage() {
  usePageTitle('Confirm your email')
  const { query } = useLocation()
  const { user, setUser } = useSession()
  const token = query.token ?? ''
  const [state, setState] = useState<{ status: 'working' | 'done' | 'failed'; text?: string }>({
    status: token ? 'working' : 'failed',
    text: token ? undefined : 'This page needs the link from your mail.',
  })
  useEffect(() => {
    if (!token) return
    let live = true
    ok(api.POST('/api/v1/verify-email', { body: { token } })).then(
      (confirmed) => {
        if (!live) return
        if (user && user.id === confirmed.id) setUser(confirmed)
        setState({ status: 'done', text: `${confirmed.email} is confirmed.` })
      },
      (err: unknown) => live && setState({ status: 'failed', text: errorText(err) }),
    )
    return () => {
      live = false
    }
    // Once per token: a link works once.
  }, [token])
  return (
    <section class="page narrow">
      <h1>Confirm your email</h1>
      {state.status === 'working' ? (
        <Loading label="Confirming…" />
      ) : (
        <p role={state.status === 'failed' ? 'alert' : 'status'}>{state.text}</p>
      )}
      {state.status === 'failed' && user ? (
        <p>
          <a href="/settings/account">Send a new link from your account settings</a>
        </p>
      ) : null}
      <p>
        <a href={user ? '/me' : '/signin'}>{user ? 'Go to your work' : 'Sign in'}</a>
      </p>
    </section>
  )
}
