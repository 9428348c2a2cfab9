import { useLocation } from 'preact-iso'
import { useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { useSession } from '../lib/session.js'
import { errorFor, FormError, SubmitButton, TextField, useSubmit } from '../ui/forms.js'
import { usePageTitle } from '../lib/title.js'
import { SecondStep } from './auth-second-step.js'

/** Only same-site paths: `?next=` must never send anyone to another site. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/me'
}

const codeFields = { 'accounts.email_taken': 'email', 'accounts.bad_credentials': 'password' }

export function SignIn() {
  const { query, route } = useLocation()
  const { setUser } = useSession()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [challenge, setChallenge] = useState<string | null>(null)
  const { busy, error, run } = useSubmit()
  usePageTitle('Sign in')

  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const answer = await ok(api.POST('/api/v1/auth/login', { body: { email, password } }))
      // Two-factor sign-in on: the password gave a challenge, the code step gives the session.
      if ('twoFactorRequired' in answer) return setChallenge(answer.challenge)
      setUser(answer.user)
      route(safeNext(query.next))
    })
  }
  if (challenge) {
    const done = (user: Parameters<typeof setUser>[0]) => (setUser(user), route(safeNext(query.next)))
    return <SecondStep challenge={challenge} done={done} restart={() => (setChallenge(null), setPassword(''))} />
  }

  return (
    <section class="page narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} noValidate>
        <TextField
          id="email"
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onValue={setEmail}
          required
          error={errorFor(error, 'email', codeFields)}
        />
        <TextField
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
          required
          error={errorFor(error, 'password', codeFields)}
        />
        <FormError error={error} fields={['email', 'password']} codeFields={codeFields} />
        <SubmitButton busy={busy}>Sign in</SubmitButton>
      </form>
      <p>
        <a href="/forgot-password">Forgot your password?</a>
      </p>
      <p>
        New here?{' '}
        <a href={`/signup${query.next ? `?next=${encodeURIComponent(query.next)}` : ''}`}>Create an account</a>
      </p>
    </section>
  )
}

export function SignUp() {
  const { query, route } = useLocation()
  const { setUser } = useSession()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, run } = useSubmit()
  usePageTitle('Create your account')

  const submit = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const { user } = await ok(api.POST('/api/v1/auth/register', { body: { name, email, password } }))
      // Start in the browser's time zone, so times read right from the first page.
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
      let me = user
      if (zone && zone !== user.timeZone) {
        me = await ok(api.PATCH('/api/v1/me', { body: { timeZone: zone } })).catch(() => user)
      }
      setUser(me)
      route(safeNext(query.next))
    })
  }

  return (
    <section class="page narrow">
      <h1>Create your account</h1>
      <p class="muted">One account can hire and work: post jobs as a client, propose as a freelancer.</p>
      <form onSubmit={submit} noValidate>
        <TextField
          id="name"
          label="Your name"
          autoComplete="name"
          value={name}
          onValue={setName}
          required
          error={errorFor(error, 'name')}
        />
        <TextField
          id="email"
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onValue={setEmail}
          required
          error={errorFor(error, 'email', codeFields)}
        />
        <TextField
          id="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onValue={setPassword}
          required
          hint="At least 10 characters."
          error={errorFor(error, 'password')}
        />
        <FormError error={error} fields={['name', 'email', 'password']} codeFields={codeFields} />
        <SubmitButton busy={busy}>Create account</SubmitButton>
      </form>
      <p>
        Already have an account?{' '}
        <a href={`/signin${query.next ? `?next=${encodeURIComponent(query.next)}` : ''}`}>Sign in</a>
      </p>
    </section>
  )
}
