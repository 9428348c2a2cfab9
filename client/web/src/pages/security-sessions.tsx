import { useLocation } from 'preact-iso'
import { api, ok } from '../lib/api.js'
import { formatDateTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useSession } from '../lib/session.js'
import { FormError, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async } from '../ui/states.js'

/** The account's signed-in sessions, each with a button to sign it out. */
export function SessionList() {
  const sessions = useLoad(() => ok(api.GET('/api/v1/me/sessions')), [])
  const { busy, error, run } = useSubmit()
  const notify = useNotify()
  const { setUser } = useSession()
  const { route } = useLocation()
  const revoke = (id: string, current: boolean) =>
    void run(async () => {
      await ok(api.DELETE('/api/v1/me/sessions/{id}', { params: { path: { id } } }))
      if (current) {
        setUser(null)
        route('/signin')
        return
      }
      notify('Signed out on that device')
      await sessions.reload()
    })
  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Where you are signed in</h2>
      <FormError error={error} />
      <Async state={sessions} label="Loading sessions…">
        {({ sessions: list }) => (
          <ul class="session-list">
            {list.map((s) => (
              <li key={s.id} class="session">
                <div>
                  <strong>{s.device}</strong> {s.current && <span class="badge badge--info">This device</span>}
                  <p class="muted">
                    {s.ip ? `From ${s.ip} · ` : ''}signed in {formatDateTime(s.createdAt)} · last active{' '}
                    {formatDateTime(s.lastSeenAt)}
                  </p>
                </div>
                <button
                  type="button"
                  class="button"
                  disabled={busy}
                  aria-label={`Sign out ${s.current ? 'this device' : s.device}`}
                  onClick={() => revoke(s.id, s.current)}
                >
                  Sign out
                </button>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </section>
  )
}
