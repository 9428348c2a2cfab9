// Helpers for the notification wiring tests: what each person's notification list gained
// since the last look, read through `GET /api/v1/notifications` as that person.
import { DAY } from '../server/clock.js'
import type { TestApp, TestUser } from './helper.js'
import { expect, fixedJob, hire, postJob, propose } from './marketplace.js'

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
 * Watches people's lists: `news(user)` answers the notifications that appeared
 * since the previous call (newest first) with the unread count now. Deadline reminders are
 * left out (a clock moved by days runs them; their own tests cover them), and so are the
 * types in `ignore` (e.g. the weekly status-report check that a clock moved by weeks runs).
 */
export function watchInboxes(
  t: { same(found: unknown, wanted: unknown, message: string): unknown },
  ctx: TestApp,
  options: { ignore?: readonly string[] } = {},
) {
  const ignored = new Set(['deadline.reminder', ...(options.ignore ?? [])])
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
      const fresh = items.filter((item) => !known.has(item.id) && !ignored.has(item.type))
      seen.set(user.id, new Set(items.map((item) => item.id)))
      return { items: fresh, unread }
    },
    /** Asserts that nothing new arrived for `user` (`why`: the step that must not notify them). */
    async nothingFor(user: TestUser, why: string): Promise<void> {
      t.same((await watch.news(user)).items, [], `${user.name} gets nothing: ${why}`)
    },
    /** Marks what everyone has now as seen (call before the step under test). */
    async settle(...users: TestUser[]): Promise<void> {
      for (const user of users) await watch.news(user)
    },
  }
  return watch
}

export type InboxWatch = ReturnType<typeof watchInboxes>

/**
 * An accepted fixed-price contract whose offer binds three milestones (the proposal's plan),
 * all through the API; answers the contract and the milestone ids in plan order.
 */
export async function fixedContract(
  ctx: TestApp,
  parties: { client: TestUser; freelancer: TestUser },
  plan: Array<{ title: string; amount: number }>,
) {
  const { call, clock } = ctx
  const job = await postJob(call, parties.client.token, fixedJob)
  const dueDate = new Date(clock.now().getTime() + 30 * DAY).toISOString().slice(0, 10)
  const proposal = await propose(call, parties.freelancer.token, job.id, {
    coverLetter: 'In steps.',
    bidAmount: plan.reduce((sum, m) => sum + m.amount, 0),
    estimatedDays: 30,
    milestones: plan.map((m) => ({ ...m, dueDate })),
  })
  const contract = await hire(call, parties.client.token, proposal.id)
  await expect(call, 200, {
    method: 'POST',
    url: `/api/v1/contracts/${contract.id}/accept`,
    token: parties.freelancer.token,
  })
  const listed = await expect(call, 200, {
    method: 'GET',
    url: `/api/v1/contracts/${contract.id}/milestones`,
    token: parties.client.token,
  })
  return { job, contract, milestones: listed.items.map((m: { id: string }) => m.id) as string[] }
}
