import { useLocation } from 'preact-iso'
import { useState } from 'preact/hooks'
import { useEvents } from '../lib/events.js'
import { formatDateTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import {
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  notificationsApi,
  type Channel,
  type NotificationItem,
  type NotificationPreferences,
} from '../lib/notifications.js'
import { useRequireUser } from '../lib/session.js'
import { usePageTitle } from '../lib/title.js'
import { errorText } from '../ui/forms.js'
import { Async, Empty } from '../ui/states.js'

/** The caller's notifications, newest first: each links to its object; read one or all. */
export function NotificationsPage() {
  useRequireUser()
  usePageTitle('Notifications')
  const { query, route } = useLocation()
  const unreadOnly = query.filter === 'unread'
  const state = useLoad(() => notificationsApi.list({ unread: unreadOnly }), [unreadOnly])
  const [more, setMore] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEvents(
    (frame) => {
      if (frame.type !== 'notification.created') return
      const { notification, unread } = frame.data as { notification: NotificationItem; unread: number }
      state.set((page) =>
        page && !page.items.some((n) => n.id === notification.id)
          ? { ...page, items: [notification, ...page.items], unread }
          : (page ?? { items: [notification], nextCursor: null, unread }),
      )
    },
    () => void state.reload(),
  )

  const markRead = async (what: { ids: string[] } | { all: true }) => {
    setError(null)
    try {
      const { unread } = await notificationsApi.read(what)
      const at = new Date().toISOString()
      state.set((page) => ({
        items: (page?.items ?? [])
          .map((n) => ('all' in what || what.ids.includes(n.id) ? { ...n, readAt: n.readAt ?? at } : n))
          .filter((n) => !unreadOnly || n.readAt === null),
        nextCursor: page?.nextCursor ?? null,
        unread,
      }))
    } catch (err) {
      setError(errorText(err))
    }
  }

  const loadMore = async (cursor: string) => {
    setMore(true)
    try {
      const next = await notificationsApi.list({ cursor, unread: unreadOnly })
      state.set((page) => ({
        items: [...(page?.items ?? []), ...next.items],
        nextCursor: next.nextCursor,
        unread: next.unread,
      }))
    } catch (err) {
      setError(errorText(err))
    } finally {
      setMore(false)
    }
  }

  return (
    <section class="page narrow">
      <h1>Notifications</h1>
      <Async state={state} label="Loading notifications…">
        {(page) => (
          <>
            <div class="notification-actions">
              <span>{page.unread === 0 ? 'All read' : `${page.unread} unread`}</span>
              <button
                type="button"
                class="link-button"
                onClick={() => route(unreadOnly ? '/notifications' : '/notifications?filter=unread')}
              >
                {unreadOnly ? 'Show all' : 'Show unread only'}
              </button>
              {page.unread > 0 && (
                <button type="button" class="button" onClick={() => void markRead({ all: true })}>
                  Mark all read
                </button>
              )}
              <a href="/notifications/settings">Notification settings</a>
            </div>
            {error && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            {page.items.length === 0 ? (
              <Empty>{unreadOnly ? 'Nothing unread.' : 'No notifications yet.'}</Empty>
            ) : (
              <ul class="notification-list" aria-label="Notifications">
                {page.items.map((n) => (
                  <li key={n.id} class={n.readAt ? 'notification' : 'notification unread'}>
                    <div class="body">
                      <a
                        class="title"
                        href={n.link}
                        onClick={() => {
                          if (!n.readAt) void markRead({ ids: [n.id] })
                        }}
                      >
                        {n.title}
                      </a>
                      <div class="muted">
                        {formatDateTime(n.createdAt)}
                        {n.readAt ? '' : ' · unread'}
                      </div>
                    </div>
                    {!n.readAt && (
                      <button
                        type="button"
                        class="link-button"
                        aria-label={`Mark read: ${n.title}`}
                        onClick={() => void markRead({ ids: [n.id] })}
                      >
                        Mark read
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {page.nextCursor && (
              <button type="button" class="button" disabled={more} onClick={() => void loadMore(page.nextCursor!)}>
                {more ? 'Loading…' : 'Show older'}
              </button>
            )}
          </>
        )}
      </Async>
    </section>
  )
}

/** How the caller hears of each category: in the app, email at once, a daily digest, or not at all. */
export function NotificationSettingsPage() {
  useRequireUser()
  usePageTitle('Notification settings')
  const state = useLoad(() => notificationsApi.preferences(), [])
  const [saved, setSaved] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const change = async (category: string, channel: Channel) => {
    setSaved(null)
    setError(null)
    try {
      state.set(await notificationsApi.setPreferences({ [category]: channel }))
      setSaved(`Saved: ${CATEGORY_LABELS[category] ?? category} — ${CHANNEL_LABELS[channel]}.`)
    } catch (err) {
      setError(errorText(err))
    }
  }

  return (
    <section class="page narrow">
      <h1>Notification settings</h1>
      <p>
        Every notification appears in the app (the bell). Choose which also reach you by email, at once or in one daily
        digest (07:00 UTC). <a href="/notifications">Back to notifications</a>
      </p>
      <Async state={state} label="Loading settings…">
        {(prefs: NotificationPreferences) => (
          <table class="preferences-table">
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">How</th>
              </tr>
            </thead>
            <tbody>
              {Object.keys(CATEGORY_LABELS).map((category) => (
                <tr key={category}>
                  <th scope="row">
                    <label for={`pref-${category}`}>{CATEGORY_LABELS[category]}</label>
                  </th>
                  <td>
                    <select
                      id={`pref-${category}`}
                      value={prefs.categories[category]}
                      onChange={(e) => void change(category, (e.target as HTMLSelectElement).value as Channel)}
                    >
                      {(Object.keys(CHANNEL_LABELS) as Channel[])
                        .filter((c) => c !== 'off' || category !== 'account')
                        .map((c) => (
                          <option key={c} value={c}>
                            {CHANNEL_LABELS[c]}
                            {prefs.defaults[category] === c ? ' (default)' : ''}
                          </option>
                        ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
      <p role="status" aria-live="polite">
        {saved}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}

/** The page an unsubscribe link in a mail opens: says what stops, and stops it on a click. */
export function UnsubscribePage() {
  usePageTitle('Unsubscribe')
  const { query } = useLocation()
  const token = query.token ?? ''
  const state = useLoad(() => notificationsApi.unsubscribeInfo(token), [token])
  const [done, setDone] = useState(false)
  const [error, setError] = useState<string | null>(null)
  return (
    <section class="page narrow">
      <h1>Unsubscribe</h1>
      <Async state={state} label="Checking the link…">
        {(info) => {
          const what = info.categories.map((c) => CATEGORY_LABELS[c] ?? c).join('; ')
          if (done || !info.email) return <p>You no longer get email about: {what}. They stay in the app.</p>
          return (
            <>
              <p>Stop email about: {what}? You will still see them in the app.</p>
              <button
                type="button"
                class="button"
                onClick={async () => {
                  try {
                    await notificationsApi.unsubscribe(token)
                    setDone(true)
                  } catch (err) {
                    setError(errorText(err))
                  }
                }}
              >
                Unsubscribe
              </button>
            </>
          )
        }}
      </Async>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
