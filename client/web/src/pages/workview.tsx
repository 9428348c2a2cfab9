import { useRoute } from 'preact-iso'
import { useState } from 'preact/hooks'
import type { Screenshot, WeekSegments } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDateTime, formatMinutes, formatTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { errorText } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Badge, Empty, Loading } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

/** ISO week of an instant, as the API names weeks (2026-W48; weeks in UTC). */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
  const day = d.getUTCDay() || 7
  d.setUTCDate(d.getUTCDate() + 4 - day)
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1))
  const week = Math.ceil(((d.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7)
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

/**
 * Work View: the week's segments with their screenshots, arriving live. The client comments
 * and rejects; the freelancer deletes or blurs.
 */
export function WorkViewPage() {
  const user = useRequireUser()
  const { params, query } = useRoute()
  const id = params.id!
  const week = query.week ?? isoWeek(new Date())
  const contract = useLoad(() => ok(api.GET('/api/v1/contracts/{id}', { params: { path: { id } } })), [id])
  usePageTitle(contract.data && `Work View, week ${week}: ${contract.data.jobTitle}`)
  const segments = useLoad(
    () => ok(api.GET('/api/v1/contracts/{id}/segments', { params: { path: { id }, query: { week } } })),
    [id, week],
  )
  useEvents(
    (frame) => {
      if ((frame.data as { contractId?: string }).contractId !== id) return
      // A new screenshot comes with its segment's activity so far: shown at once, no round trip.
      if (frame.type === 'screenshot.created' && segments.data) {
        segments.set((week) => withPushedShot(week!, frame.data as unknown as PushedShot))
        return
      }
      if (/^(screenshot|segments)\./.test(frame.type)) void segments.reload()
    },
    () => void segments.reload(),
  )
  if (!user) return <Loading />
  return (
    <section class="page">
      <Async state={contract}>
        {(c) => (
          <>
            <p class="muted">
              <a href={`/contracts/${c.id}`}>← {c.jobTitle}</a>
            </p>
            <h1>Work View · week {week}</h1>
            <Async state={segments} label="Loading the week…">
              {(w) => (
                <Gallery
                  week={w}
                  role={user.id === c.clientId ? 'client' : 'freelancer'}
                  onChange={() => void segments.reload()}
                />
              )}
            </Async>
          </>
        )}
      </Async>
    </section>
  )
}

/** A segment not recorded yet (the tracker uploads a segment when it ends): its activity so far. */
interface OpenSegment {
  start: string
  memo: string
  activity: WeekSegments['segments'][number]['activity']
  activeMinutes: number
  screenshots: WeekSegments['segments'][number]['screenshots']
}
type Week = WeekSegments & { openSegments?: OpenSegment[] }
interface PushedShot {
  screenshot: WeekSegments['segments'][number]['screenshots'][number] & { segmentStart: string }
  segment?: Omit<OpenSegment, 'screenshots'>
}

/** The week with a screenshot the event stream brought (in its recorded segment, or an open one). */
function withPushedShot(week: Week, pushed: PushedShot): Week {
  const { screenshot, segment } = pushed
  const at = Date.parse(screenshot.segmentStart)
  const has = (list: { screenshots: Array<{ id: string }> }) => list.screenshots.some((s) => s.id === screenshot.id)
  const recorded = week.segments.find((s) => Date.parse(s.start) === at)
  if (recorded) {
    if (has(recorded)) return week
    return {
      ...week,
      segments: week.segments.map((s) => (s === recorded ? { ...s, screenshots: [...s.screenshots, screenshot] } : s)),
    }
  }
  const open = week.openSegments ?? []
  const current = open.find((s) => Date.parse(s.start) === at)
  const progress = segment ?? { start: screenshot.segmentStart, memo: '', activity: [], activeMinutes: 0 }
  const next: OpenSegment = {
    ...(current ?? { screenshots: [] }),
    ...progress,
    screenshots: current ? (has(current) ? current.screenshots : [...current.screenshots, screenshot]) : [screenshot],
  }
  return { ...week, openSegments: [...open.filter((s) => s !== current), next] }
}

function Gallery({ week, role, onChange }: { week: Week; role: 'client' | 'freelancer'; onChange(): void }) {
  const shots = [
    ...week.segments.flatMap((s) => s.screenshots.map((shot) => ({ shot, segment: s, open: false }))),
    ...(week.openSegments ?? []).flatMap((s) => s.screenshots.map((shot) => ({ shot, segment: s, open: true }))),
  ].sort((a, b) => Date.parse(a.shot.capturedAt) - Date.parse(b.shot.capturedAt))
  return (
    <>
      <p>
        {formatMinutes(week.totals.billableMinutes)} billable · {formatMinutes(week.totals.protectedMinutes)} protected
        · {week.segments.length} segments
      </p>
      {shots.length === 0 ? (
        <Empty>No screenshots this week yet. They appear here as the tracker uploads them.</Empty>
      ) : (
        <div class="gallery" data-testid="workview-gallery">
          {shots.map(({ shot, segment, open }) => (
            <Shot
              key={shot.id}
              shot={shot}
              memo={segment.memo}
              activeMinutes={segment.activeMinutes}
              open={open}
              role={role}
              onChange={onChange}
            />
          ))}
        </div>
      )}
    </>
  )
}

function Shot({
  shot,
  memo,
  activeMinutes,
  open,
  role,
  onChange,
}: {
  shot: WeekSegments['segments'][number]['screenshots'][number]
  memo: string
  activeMinutes: number
  /** The segment is still being tracked: its activity is so far. */
  open: boolean
  role: 'client' | 'freelancer'
  onChange(): void
}) {
  const notify = useNotify()
  const [comment, setComment] = useState('')
  const [error, setError] = useState<unknown>(null)
  const act = async (fn: () => Promise<unknown>, message: string) => {
    setError(null)
    try {
      await fn()
      notify(message)
      onChange()
    } catch (err) {
      setError(err)
    }
  }
  const path = { params: { path: { id: shot.id } } }
  return (
    <figure class="shot" data-testid="screenshot">
      {shot.thumbnailUrl ? (
        <img src={shot.thumbnailUrl} alt={`Screenshot at ${formatTime(shot.capturedAt)}`} loading="lazy" />
      ) : (
        <div class="muted">No image</div>
      )}
      <figcaption class="body">
        <strong>{formatDateTime(shot.capturedAt)}</strong>{' '}
        {shot.state !== 'active' && <Badge tone="bad">{shot.state}</Badge>} {shot.blurred && <Badge>blurred</Badge>}
        <br />
        <span class="muted">
          {memo || 'No memo'} · active {activeMinutes}/10 min{open ? ' so far' : ''}
        </span>
        <div class="actions">
          {role === 'client' && shot.state === 'active' && (
            <button
              type="button"
              class="button button--small button--danger"
              onClick={() =>
                void act(
                  () => ok(api.POST('/api/v1/screenshots/{id}/reject', { ...path, body: {} })),
                  'Screenshot rejected: its segment is not billable',
                )
              }
            >
              Reject
            </button>
          )}
          {role === 'freelancer' && shot.state === 'active' && (
            <>
              {!shot.blurred && (
                <button
                  type="button"
                  class="button button--small"
                  onClick={() =>
                    void act(() => ok(api.POST('/api/v1/screenshots/{id}/blur', path)), 'Screenshot blurred')
                  }
                >
                  Blur
                </button>
              )}
              <button
                type="button"
                class="button button--small button--danger"
                onClick={() =>
                  void act(
                    () => ok(api.DELETE('/api/v1/screenshots/{id}', path)),
                    'Screenshot deleted: its segment stops counting',
                  )
                }
              >
                Delete
              </button>
            </>
          )}
        </div>
        <form
          class="composer"
          onSubmit={(e) => {
            e.preventDefault()
            void act(async () => {
              await ok(api.POST('/api/v1/screenshots/{id}/comments', { ...path, body: { body: comment } }))
              setComment('')
            }, 'Comment added')
          }}
        >
          <label class="visually-hidden" for={`c-${shot.id}`}>
            Comment
          </label>
          <input
            id={`c-${shot.id}`}
            placeholder="Comment…"
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
          <button type="submit" class="button button--small" disabled={!comment.trim()}>
            Send
          </button>
        </form>
        {error !== null && (
          <p class="field-error" role="alert">
            {errorText(error)}
          </p>
        )}
      </figcaption>
    </figure>
  )
}

export type { Screenshot }
