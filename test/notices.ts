// Helpers for the notification wiring tests: what each person's notification list gained
// since the last look, read through `GET /api/v1/notifications` as that person.
import type { TestApp, TestUser } from './helper.js'

export interface Notice {
  id: string
  type: string
  title: string
  link: string
  subject: { kind: string; id: string }
  contractId: string | null
  workroomId: string | null
  data: Record<string, unknown>
  readAt: string | null
}

/**
 * Watches the lists of some people: `news(user)` answers the notifications that appeared
 * since the previous call (newest first) with the unread count now. Types in `ignore` are
 * left out (e.g. the weekly status-report check that a clock moved by weeks also runs).
 */
export function watchInboxes(ctx: TestApp, options: { ignore?: readonly string[] } = {}) {
  const seen = new Map<string, Set<string>>()

  async function read(user: TestUser): Promise<{ items: Notice[]; unread: number }> {
    const response = await ctx.call({ method: 'GET', url: '/api/v1/notifications?limit=100', token: user.token })
    if (response.statusCode !== 200) throw new Error(`notifications: ${response.statusCode} ${response.body}`)
    return response.json()
  }

  const watch = {
    async news(user: TestUser): Promise<{ items: Notice[]; unread: number }> {
      const { items, unread } = await read(user)
      const known = seen.get(user.id) ?? new Set<string>()
      const fresh = items.filter((item) => !known.has(item.id) && !options.ignore?.includes(item.type))
      seen.set(user.id, new Set(items.map((item) => item.id)))
      return { items: fresh, unread }
    },
    /** Marks what everyone has now as seen (call before the step under test). */
    async settle(...users: TestUser[]): Promise<void> {
      for (const user of users) await watch.news(user)
    },
  }
  return watch
}

export type InboxWatch = ReturnType<typeof watchInboxes>
