import { useState } from 'preact/hooks'
import type { Answer } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { formatDateTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { usePageTitle } from '../lib/title.js'
import { errorFor, FormError, SubmitButton, TextField, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async } from '../ui/states.js'
import { SessionList } from './security-sessions.js'
import '../styles/security.css'

type Status = Answer<'/api/v1/me/2fa', 'get'>
type Enrolment = Answer<'/api/v1/me/2fa/setup', 'post'>

const codeFields = { 'accounts.bad_code': 'code', 'accounts.bad_credentials': 'password' }

/** Settings, Security: two-factor sign-in and the signed-in sessions. */
export function SecurityPage() {
  usePageTitle('Security')
  const user = useRequireUser()
  const status = useLoad(() => ok(api.GET('/api/v1/me/2fa')), [])
  if (!user) return null
  return (
    <section class="page narrow security">
      <h1>Security</h1>
      <p class="muted">
        <a href="/settings">Your profile</a> · Security · <a href="/settings/account">Email and password</a>
      </p>
      <section class="card" aria-labelledby="two-factor-title">
        <h2 id="two-factor-title">Two-factor sign-in</h2>
        <Async state={status} label="Loading two-factor sign-in…">
          {(data) => <TwoFactor status={data} reload={status.reload} />}
        </Async>
      </section>
      <SessionList />
    </section>
  )
}

function TwoFactor({ status, reload }: { status: Status; reload(): Promise<void> }) {
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null)
  if (recoveryCodes) return <RecoveryCodes codes={recoveryCodes} done={() => setRecoveryCodes(null)} />
  if (status.enabled) return <TurnedOn status={status} reload={reload} showCodes={setRecoveryCodes} />
  return (
    <TurnOn
      enabled={async (codes) => {
        await reload()
        setRecoveryCodes(codes)
      }}
    />
  )
}

function TurnOn({ enabled }: { enabled(codes: string[]): Promise<void> }) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null)
  const [code, setCode] = useState('')
  const { busy, error, run } = useSubmit()
  const notify = useNotify()
  if (!enrolment) {
    return (
      <>
        <p>
          Off. With it on, signing in takes your password and a 6-digit code from an authenticator app on your phone
          (any app that reads a QR code: 1Password, Aegis, Google Authenticator…).
        </p>
        <FormError error={error} />
        <button
          type="button"
          class="button button--primary"
          disabled={busy}
          onClick={() => void run(async () => setEnrolment(await ok(api.POST('/api/v1/me/2fa/setup'))))}
        >
          Set up two-factor sign-in
        </button>
      </>
    )
  }
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault()
        void run(async () => {
          const { recoveryCodes } = await ok(api.POST('/api/v1/me/2fa/enable', { body: { code: code.trim() } }))
          notify('Two-factor sign-in is on')
          await enabled(recoveryCodes)
        })
      }}
    >
      <ol class="steps">
        <li>
          Scan this QR code with your authenticator app.
          <img class="qr" src={enrolment.qr} alt="QR code of your two-factor secret" width={200} height={200} />
        </li>
        <li>
          Or type this key into the app:{' '}
          <code class="secret" data-testid="totp-secret">
            {enrolment.secret}
          </code>
        </li>
        <li>Enter the 6-digit code the app shows.</li>
      </ol>
      <TextField
        id="enable-code"
        label="Code from your app"
        autoComplete="one-time-code"
        value={code}
        onValue={setCode}
        required
        maxLength={10}
        error={errorFor(error, 'code', codeFields)}
      />
      <FormError error={error} fields={['code']} codeFields={codeFields} />
      <div class="actions">
        <SubmitButton busy={busy}>Turn on</SubmitButton>
        <button type="button" class="button" onClick={() => setEnrolment(null)}>
          Cancel
        </button>
      </div>
    </form>
  )
}

function RecoveryCodes({ codes, done }: { codes: string[]; done(): void }) {
  return (
    <div class="recovery">
      <p role="alert">
        <strong>Save these recovery codes now.</strong> Each one signs you in once if you lose your phone. They are
        shown only this time.
      </p>
      <ul class="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div class="actions">
        <button
          type="button"
          class="button"
          onClick={() => void navigator.clipboard?.writeText(codes.join('\n')).catch(() => {})}
        >
          Copy codes
        </button>
        <button type="button" class="button button--primary" onClick={done}>
          I have saved them
        </button>
      </div>
    </div>
  )
}

function TurnedOn({
  status,
  reload,
  showCodes,
}: {
  status: Status
  reload(): Promise<void>
  showCodes(codes: string[]): void
}) {
  const notify = useNotify()
  return (
    <>
      <p>
        <span class="badge badge--ok">On</span> since {formatDateTime(status.enabledAt)}. Recovery codes left:{' '}
        {status.recoveryCodesLeft} of 10.
      </p>
      <Reauthenticate
        id="renew"
        title="New recovery codes"
        hint="Ten new codes replace the old ones, used or not: for when few are left or someone may have seen them."
        submit="Make new recovery codes"
        action={async (body) => {
          const { recoveryCodes } = await ok(api.POST('/api/v1/me/2fa/recovery-codes', { body }))
          notify('New recovery codes made; the old ones no longer work')
          await reload()
          showCodes(recoveryCodes)
        }}
      />
      <Reauthenticate
        id="disable"
        title="Turn it off"
        submit="Turn off two-factor sign-in"
        danger
        action={async (body) => {
          await ok(api.POST('/api/v1/me/2fa/disable', { body }))
          notify('Two-factor sign-in is off')
          await reload()
        }}
      />
    </>
  )
}

/** A change to two-factor sign-in: it takes the password and a code (or a recovery code). */
function Reauthenticate(props: {
  id: string
  title: string
  hint?: string
  submit: string
  danger?: boolean
  action(body: { password: string; code: string }): Promise<void>
}) {
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const { busy, error, run } = useSubmit()
  return (
    <form
      noValidate
      aria-labelledby={`${props.id}-title`}
      onSubmit={(event) => {
        event.preventDefault()
        void run(() => props.action({ password, code: code.trim() }))
      }}
    >
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      {props.hint && <p class="muted">{props.hint}</p>}
      <TextField
        id={`${props.id}-password`}
        label="Password"
        type="password"
        autoComplete="current-password"
        value={password}
        onValue={setPassword}
        required
        error={errorFor(error, 'password', codeFields)}
      />
      <TextField
        id={`${props.id}-code`}
        label="Code from your app, or a recovery code"
        autoComplete="one-time-code"
        value={code}
        onValue={setCode}
        required
        error={errorFor(error, 'code', codeFields)}
      />
      <FormError error={error} fields={['password', 'code']} codeFields={codeFields} />
      <SubmitButton busy={busy} variant={props.danger ? 'danger' : 'plain'}>
        {props.submit}
      </SubmitButton>
    </form>
  )
}
