import { toApiError } from '../../../sdk/api.js'

/** One notification as `GET /api/v1/notifications` lists it. */
export interface NotificationItem {
  id: string
  eventId: string
  type: string
  category: string
  title: string
  link: string
  subject: { kind: string; id: string }
  workroomId: string | null
  contractId: string | null
  data: Record<string, unknown>
  readAt: string | null
  createdAt: string
}

export interface NotificationPage {
  items: NotificationItem[]
  nextCursor: string | null
  unread: number
}

export type Channel = 'in_app' | 'email' | 'digest' | 'off'

export interface NotificationPreferences {
  categories: Record<string, Channel>
  defaults: Record<string, Channel>
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(url, {
      method,
      credentials: 'include',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch {
    throw toApiError(0, {
      code: 'network.unreachable',
      message: 'The server could not be reached. Check your connection and try again.',
    })
  }
  const data: unknown = await response.json().catch(() => null)
  if (!response.ok) throw toApiError(response.status, data)
  return data as T
}

export const notificationsApi = {
  list(query: { cursor?: string | null; unread?: boolean; limit?: number } = {}) {
    const params = new URLSearchParams()
    if (query.cursor) params.set('cursor', query.cursor)
    if (query.unread) params.set('unread', 'true')
    params.set('limit', String(query.limit ?? 20))
    return call<NotificationPage>('GET', `/api/v1/notifications?${params}`)
  },
  read(what: { ids: string[] } | { all: true }) {
    return call<{ updated: number; unread: number }>('POST', '/api/v1/notifications/read', what)
  },
  preferences() {
    return call<NotificationPreferences>('GET', '/api/v1/me/notification-preferences')
  },
  setPreferences(categories: Record<string, Channel>) {
    return call<NotificationPreferences>('PUT', '/api/v1/me/notification-preferences', { categories })
  },
  unsubscribeInfo(token: string) {
    return call<{ categories: string[]; email: boolean }>(
      'GET',
      `/api/v1/unsubscribe?token=${encodeURIComponent(token)}`,
    )
  },
  unsubscribe(token: string) {
    return call<{ categories: string[]; email: boolean }>(
      'POST',
      `/api/v1/unsubscribe?token=${encodeURIComponent(token)}`,
      {},
    )
  },
}

/** Each category in words, for the list filter and the settings. */
export const CATEGORY_LABELS: Record<string, string> = {
  hiring: 'Hiring: invites, proposals, offers',
  terms: 'Terms to accept and status reports',
  money: 'Money: milestones, invoices, withdrawals',
  hourly: 'Hourly work: timesheets',
  disputes: 'Disputes',
  messages: 'Messages while you are away',
  feedback: 'Feedback',
  reminders: 'Deadline reminders (24 hours ahead)',
  account: 'Your account and integrations',
}

export const CHANNEL_LABELS: Record<Channel, string> = {
  in_app: 'In the app only',
  email: 'Email at once',
  digest: 'Daily email digest',
  off: 'Off',
}
