import { useState } from 'preact/hooks'
import type { User } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { usePageTitle } from '../lib/title.js'
import { errorFor, FormError, SubmitButton, TextField, useSubmit } from '../ui/forms.js'

const codeFields = { 'accounts.bad_code': 'code' }

/** The second sign-in step of an account with two-factor sign-in on: a code from the app, or a recovery code. */
export function SecondStep({
  challenge,
  done,
  restart,
}: {
  challenge: string
  done(user: User): void
  restart(): void
}) {
  const [code, setCode] = useState('')
  const { busy, error, run } = useSubmit()
  usePageTitle('Enter your sign-in code')
  const ended = (error as { code?: string } | null)?.code === 'accounts.challenge_expired'
  return (
    <section class="page narrow">
      <h1>Enter your sign-in code</h1>
      <p class="muted">Open your authenticator app and enter the 6-digit code it shows for Workroom.</p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const { user } = await ok(api.POST('/api/v1/sessions/2fa', { body: { challenge, code: code.trim() } }))
            done(user)
          })
        }}
      >
        <TextField
          id="code"
          label="Code"
          autoComplete="one-time-code"
          value={code}
          onValue={setCode}
          required
          maxLength={40}
          hint="Lost your phone? Enter one of your recovery codes instead."
          error={errorFor(error, 'code', codeFields)}
        />
        <FormError error={error} fields={['code']} codeFields={codeFields} />
        {ended ? (
          <button type="button" class="button button--primary" onClick={restart}>
            Sign in again
          </button>
        ) : (
          <SubmitButton busy={busy}>Verify</SubmitButton>
        )}
      </form>
    </section>
  )
}
