import { useEffect, useState } from 'preact/hooks'
import { useEvents } from '../lib/events.js'
import { notificationsApi } from '../lib/notifications.js'

/**
 * The header's bell: the unread count, kept live by the event stream
 * (`notification.created` and `notification.read` carry it) and re-read after a reconnect.
 */
export function Bell({ onNavigate }: { onNavigate?: () => void }) {
  const [unread, setUnread] = useState<number | null>(null)
  const refresh = () =>
    notificationsApi
      .list({ limit: 1 })
      .then((page) => setUnread(page.unread))
      .catch(() => undefined)
  useEffect(() => {
    void refresh()
  }, [])
  const stream = useEvents(
    (frame) => {
      if (frame.type !== 'notification.created' && frame.type !== 'notification.read') return
      const count = (frame.data as { unread?: unknown }).unread
      if (typeof count === 'number') setUnread(count)
    },
    () => void refresh(),
  )
  const label = unread ? `Notifications, ${unread} unread` : 'Notifications'
  return (
    <a href="/notifications" class="bell" aria-label={label} title={label} data-stream={stream} onClick={onNavigate}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        />
      </svg>
      {unread ? (
        <span class="bell-badge" data-unread={unread}>
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </a>
  )
}
