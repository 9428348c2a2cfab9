import { useRoute } from 'preact-iso'
import { useEffect, useState } from 'preact/hooks'
import type { Contract, WeekSegments } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDateTime, formatMinutes, formatMoney, formatTime } from '../lib/format.js'
import { useLoad, type Loaded } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { Tracker, type TrackerStatus } from '../lib/tracker-engine.js'
import { Async, Badge, Empty, Loading } from '../ui/states.js'
import { isoWeek } from './workview.js'
import { usePageTitle } from '../lib/title.js'

/**
 * The in-browser tracker of an hourly contract (the freelancer's): start/stop, memo, the
 * current 10-minute segment with its activity, Work View captures of the shared screen, the
 * outbox of segments and screenshots waiting for the connection, and the week so far.
 */
export function TrackerPage() {
  const user = useRequireUser()
  const { params } = useRoute()
  const id = params.id!
  const contract = useLoad(() => ok(api.GET('/api/v1/contracts/{id}', { params: { path: { id } } })), [id])
  usePageTitle(contract.data && `Tracker: ${contract.data.jobTitle}`)
  if (!user) return <Loading />
  return (
    <section class="page">
      <Async state={contract}>
        {(c) => (
          <>
            <p class="muted">
              <a href={`/contracts/${c.id}`}>← {c.jobTitle}</a> · <a href={`/contracts/${c.id}/workview`}>Work View</a>{' '}
              · <a href={`/contracts/${c.id}/timesheets`}>Timesheets</a>
            </p>
            <h1>Tracker</h1>
            {c.arrangement !== 'hourly' ? (
              <Empty>This is a fixed-price contract: there is no time to track.</Empty>
            ) : user.id !== c.freelancerId ? (
              <Empty>
                Only the freelancer tracks time. Follow the work in{' '}
                <a href={`/contracts/${c.id}/workview`}>Work View</a>.
              </Empty>
            ) : c.state !== 'active' ? (
              <Empty>Time can be tracked while the contract is active (it is {c.state}).</Empty>
            ) : (
              <TrackerPanel contract={c} />
            )}
          </>
        )}
      </Async>
    </section>
  )
}

function TrackerPanel({ contract }: { contract: Contract }) {
  const id = contract.id
  const settings = useLoad(() => ok(api.GET('/api/v1/contracts/{id}/workview', { params: { path: { id } } })), [id])
  const week = useLoad(
    () =>
      ok(
        api.GET('/api/v1/contracts/{id}/segments', { params: { path: { id }, query: { week: isoWeek(new Date()) } } }),
      ),
    [id],
  )
  useEvents(
    (frame) => {
      if (
        (frame.data as { contractId?: string }).contractId === id &&
        /^(screenshot|segments|timesheet)\./.test(frame.type)
      )
        void week.reload()
    },
    () => void week.reload(),
  )
  return (
    <Async state={settings} label="Loading the contract’s Work View settings…">
      {(s) => (
        <Controls
          contractId={id}
          screenshotsPerSegment={s.screenshotsPerSegment}
          week={week}
          currency={contract.currency}
        />
      )}
    </Async>
  )
}

function Controls({
  contractId,
  screenshotsPerSegment,
  week,
  currency,
}: {
  contractId: string
  screenshotsPerSegment: number
  week: Loaded<WeekSegments>
  currency: string
}) {
  const [tracker, setTracker] = useState<Tracker | null>(null)
  const [status, setStatus] = useState<TrackerStatus | null>(null)
  const [shareError, setShareError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    const created = new Tracker(contractId, { screenshotsPerSegment, onUploaded: () => void week.reload() })
    setTracker(created)
    const unsubscribe = created.subscribe(setStatus)
    return () => {
      unsubscribe()
      created.dispose()
    }
  }, [contractId, screenshotsPerSegment])
  if (!tracker || !status) return <Loading />

  const share = async (): Promise<MediaStream | null> => {
    setShareError(null)
    if (screenshotsPerSegment === 0) return null
    try {
      return await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })
    } catch (err) {
      setShareError(
        `The screen was not shared (${err instanceof Error ? err.message : 'refused'}). Time is tracked, but segments without a screenshot are not protected.`,
      )
      return null
    }
  }
  const start = async () => {
    setBusy(true)
    await tracker.start(await share())
    setBusy(false)
  }
  const shareAgain = async () => {
    const stream = await share()
    if (stream) tracker.shareScreen(stream)
  }

  return (
    <div class="stack">
      <p class="callout" data-testid="input-notice">
        Activity is counted from the keys and pointer events <strong>this page</strong> can see. Time tracked while you
        work in other windows or apps is recorded, but its segments show no activity and are{' '}
        <strong>not protected</strong>. Time is recorded in 10-minute segments (UTC); a segment you start or stop inside
        bills only the minutes tracked in it. Tracking survives a reload or a closed tab: it resumes when you open this
        page again.
        {screenshotsPerSegment > 0
          ? ` This contract takes ${screenshotsPerSegment} Work View screenshot${screenshotsPerSegment === 1 ? '' : 's'} of your shared screen at random moments in each segment; you can blur or delete them in Work View.`
          : ' This contract takes no Work View screenshots.'}
      </p>
      <div class="card">
        <div class="field">
          <label for="tracker-memo">Memo</label>
          <input
            id="tracker-memo"
            maxLength={500}
            value={status.memo}
            placeholder="What you are working on"
            onInput={(e) => tracker.setMemo(e.currentTarget.value)}
          />
        </div>
        <div class="actions">
          {status.running ? (
            <button type="button" class="button button--danger" onClick={() => void tracker.stop()}>
              Stop tracking
            </button>
          ) : (
            <button type="button" class="button button--primary" disabled={busy} onClick={() => void start()}>
              Start tracking
            </button>
          )}
          <span data-testid="tracker-state">
            {status.running ? <Badge tone="ok">tracking</Badge> : <Badge>stopped</Badge>}{' '}
            {screenshotsPerSegment > 0 &&
              (status.sharing === 'on' ? (
                <Badge tone="info">screen shared</Badge>
              ) : status.sharing === 'ended' ? (
                <Badge tone="warn">screen sharing ended</Badge>
              ) : null)}
          </span>
        </div>
        {shareError && (
          <p class="field-error" role="alert">
            {shareError}
          </p>
        )}
        {status.leftRunning && !status.running && (
          <div class="callout" role="status" data-testid="tracker-left-running">
            <p>
              Tracking was left running on this contract; this page last ran it at {formatDateTime(status.leftRunning)}.
              Resume it now? (The time since then is not counted either way.)
            </p>
            <div class="actions">
              <button type="button" class="button button--primary" onClick={() => void tracker.resumeLeft()}>
                Resume tracking
              </button>
              <button type="button" class="button" onClick={() => void tracker.discardLeft()}>
                Don’t resume
              </button>
            </div>
          </div>
        )}
        {status.resumedAt && (
          <p class="callout" role="status" data-testid="tracker-resumed">
            Tracking resumed at {formatTime(status.resumedAt)}: it was running when this page was last closed. Time
            while the page was closed is not counted.
          </p>
        )}
        {status.sharing === 'ended' && status.running && screenshotsPerSegment > 0 && (
          <p class="field-error" role="alert">
            Screen sharing stopped: later segments get no screenshot and are not protected.{' '}
            <button type="button" class="button" onClick={() => void shareAgain()}>
              Share the screen again
            </button>
          </p>
        )}
      </div>
      <CurrentSegment status={status} />
      <Outbox status={status} />
      <WeekSoFar week={week} currency={currency} />
    </div>
  )
}

function CurrentSegment({ status }: { status: TrackerStatus }) {
  if (!status.running || !status.segmentStart) return null
  const start = status.segmentStart
  const end = new Date(new Date(start).getTime() + 10 * 60_000).toISOString()
  const active = status.activity.filter((m) => m.keys + m.pointer > 0).length
  return (
    <section class="card" data-testid="current-segment" aria-live="polite">
      <h2>Current segment</h2>
      <p>
        {formatTime(start)} – {formatTime(end)} <span class="muted">({formatTime(start, { utc: true })} UTC)</span> ·
        active {active}/10 min
      </p>
      <ol class="activity-bars" aria-label="Input per minute">
        {status.activity.map((m, i) => (
          <li
            key={i}
            title={`Minute ${i + 1}: ${m.keys} keys, ${m.pointer} pointer${m.tracked === false ? ', not tracked' : ''}`}
            class={m.tracked === false ? 'untracked' : m.keys + m.pointer > 0 ? 'on' : ''}
          >
            <span class="visually-hidden">
              {`Minute ${i + 1}: ${m.keys} keys, ${m.pointer} pointer${m.tracked === false ? ', not tracked' : ''}`}
            </span>
          </li>
        ))}
      </ol>
      <p class="muted">
        Screenshots this session: {status.captures}
        {status.lastCaptureAt && ` · last at ${formatTime(status.lastCaptureAt)}`}
      </p>
    </section>
  )
}

function Outbox({ status }: { status: TrackerStatus }) {
  const pending = status.waitingSegments + status.queuedShots
  return (
    <section class="card" data-testid="outbox">
      <h2>Upload queue</h2>
      <p>
        {!status.online && <Badge tone="warn">offline</Badge>}{' '}
        {pending === 0 ? (
          <span data-testid="outbox-empty">Everything tracked is uploaded.</span>
        ) : (
          <span data-testid="outbox-pending">
            {status.waitingSegments} segment{status.waitingSegments === 1 ? '' : 's'} and {status.queuedShots}{' '}
            screenshot{status.queuedShots === 1 ? '' : 's'} waiting to upload
          </span>
        )}
      </p>
      <p class="muted">
        Finished segments and screenshots are kept in this browser until the server has them, and upload by themselves
        when the connection is back.
        {status.lastUploadAt && ` Last upload ${formatDateTime(status.lastUploadAt)}.`}
      </p>
      {status.lastError && (
        <p class="field-error" role="status">
          {status.lastError}
          {status.retryAt && ` (next try ${formatTime(new Date(status.retryAt).toISOString())})`}
        </p>
      )}
      {status.refused.length > 0 && (
        <ul class="plain" data-testid="refused">
          {status.refused.map((r, i) => (
            <li key={i} class="field-error">
              {r.what}: {r.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function WeekSoFar({ week, currency }: { week: Loaded<WeekSegments>; currency: string }) {
  return (
    <section class="card" data-testid="week">
      <h2>This week so far</h2>
      <Async state={week} label="Loading the week…">
        {(w) => (
          <>
            <p class="muted">Week {w.week}, Monday to Sunday in UTC.</p>
            <dl class="facts">
              <dt>Tracked</dt>
              <dd data-testid="week-tracked">{formatMinutes(w.totals.totalMinutes)}</dd>
              <dt>Billable</dt>
              <dd>
                {formatMinutes(w.totals.billableMinutes)}
                {w.hourlyRate !== null &&
                  ` · ${formatMoney(Math.round((w.totals.billableMinutes * w.hourlyRate) / 60), currency)}`}
              </dd>
              <dt>Protected</dt>
              <dd>
                {formatMinutes(w.totals.protectedMinutes)} · unprotected {formatMinutes(w.totals.unprotectedMinutes)}
              </dd>
              {w.weeklyLimitMinutes !== null && (
                <>
                  <dt>Weekly limit</dt>
                  <dd>{formatMinutes(w.weeklyLimitMinutes)}</dd>
                </>
              )}
            </dl>
            {w.segments.length === 0 ? (
              <Empty>No time uploaded this week yet.</Empty>
            ) : (
              <table class="table">
                <thead>
                  <tr>
                    <th>Segment</th>
                    <th>Memo</th>
                    <th>Active</th>
                    <th>Screenshots</th>
                    <th>Protected</th>
                  </tr>
                </thead>
                <tbody>
                  {[...w.segments].reverse().map((s) => (
                    <tr key={s.id} data-testid="week-segment">
                      <td>{formatDateTime(s.start)}</td>
                      <td>{s.memo || <span class="muted">none</span>}</td>
                      <td>
                        {s.activeMinutes}/{s.minutes}
                      </td>
                      <td>{s.screenshots.length}</td>
                      <td>
                        {s.protected ? (
                          <Badge tone="ok">yes</Badge>
                        ) : (
                          <span class="muted">no ({s.unprotectedReasons.join(', ').replace(/_/g, ' ')})</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Async>
    </section>
  )
}
