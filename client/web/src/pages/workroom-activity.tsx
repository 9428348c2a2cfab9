import { useState } from 'preact/hooks'
import type { ActivityEntry, Workroom } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDateTime, humanize } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { errorText } from '../ui/forms.js'
import { Async, Badge, Empty } from '../ui/states.js'

/** Reads the whole log (oldest first, page by page). */
async function readAll(workroomId: string): Promise<ActivityEntry[]> {
  const all: ActivityEntry[] = []
  let cursor: string | undefined
  for (let page = 0; page < 50; page++) {
    const answer = await ok(
      api.GET('/api/v1/workrooms/{id}/activity', {
        params: { path: { id: workroomId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
      }),
    )
    all.push(...answer.items)
    if (!answer.nextCursor) break
    cursor = answer.nextCursor
  }
  return all
}

/** The append-only, hash-chained log of everything that happened here. */
export function ActivityTab({ hub }: { hub: Workroom }) {
  const entries = useLoad(() => readAll(hub.id), [hub.id])
  const [verified, setVerified] = useState<{ ok: boolean; entries: number; firstBrokenSeq: number | null } | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEvents(
    (frame) => {
      if (frame.workroomId === hub.id) void entries.reload()
    },
    () => void entries.reload(),
  )
  const verify = async () => {
    setError(null)
    try {
      setVerified(await ok(api.GET('/api/v1/workrooms/{id}/activity/verify', { params: { path: { id: hub.id } } })))
    } catch (err) {
      setError(err)
    }
  }
  return (
    <section>
      <div class="actions">
        <button type="button" class="button" onClick={() => void verify()}>
          Verify the log
        </button>
        <a class="button" href={`/api/v1/workrooms/${hub.id}/export`} download>
          Export the workroom (zip)
        </a>
        {verified && (
          <span role="status">
            {verified.ok ? (
              <Badge tone="ok">Chain intact</Badge>
            ) : (
              <Badge tone="bad">Broken at #{verified.firstBrokenSeq}</Badge>
            )}{' '}
            {verified.entries} entries checked
          </span>
        )}
      </div>
      {error !== null && (
        <p class="form-error" role="alert">
          {errorText(error)}
        </p>
      )}
      <Async state={entries} label="Loading the activity log…">
        {(list) =>
          list.length === 0 ? (
            <Empty>Nothing has happened yet.</Empty>
          ) : (
            <ol class="timeline" data-testid="activity" reversed>
              {[...list].reverse().map((entry) => (
                <li key={entry.id}>
                  <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time>
                  <span>
                    <strong>{humanize(entry.type)}</strong> <span class="muted">#{entry.seq}</span>
                  </span>
                </li>
              ))}
            </ol>
          )
        }
      </Async>
    </section>
  )
}
