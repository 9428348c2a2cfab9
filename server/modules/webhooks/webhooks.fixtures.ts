// What the webhook tests share: an event made through the notifications module, the
// verification snippet of docs/webhooks.md loaded as a receiver would run it, and an endpoint.
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { TestApp, TestUser } from '../../../test/helper.js'
import { projectRoot } from '../../../test/fixtures.js'

export type Verify = (secret: string, rawBody: string, header: string, nowSeconds?: number) => boolean

/** The `verifyWorkroomSignature` code block of docs/webhooks.md, imported as a module. */
export async function documentedVerifier(): Promise<Verify> {
  const doc = await readFile(path.join(projectRoot, 'docs/webhooks.md'), 'utf8')
  const block = /```js\n([\s\S]*?verifyWorkroomSignature[\s\S]*?)```/.exec(doc)?.[1]
  if (!block) throw new Error('docs/webhooks.md has no verification snippet')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workroom-snippet-'))
  const file = path.join(dir, 'verify.mjs')
  await writeFile(file, block)
  const module = (await import(pathToFileURL(file).href)) as { verifyWorkroomSignature: Verify }
  return module.verifyWorkroomSignature
}

/** One event ("milestone.funded" by default) notifying `users`, committed; its event id. */
export async function notifyEvent(
  ctx: TestApp,
  users: readonly TestUser[],
  type: 'milestone.funded' | 'offer.received' | 'invoice.issued' = 'milestone.funded',
): Promise<string> {
  const event = await ctx.app.db.transaction((tx) =>
    ctx.app.notifications.notify(tx, {
      type,
      userIds: users.map((u) => u.id),
      subject: { kind: 'milestone', id: randomUUID() },
      title: 'Acme funded “Design” (US$500.00)',
      link: '/contracts/c1',
      data: { amount: { amount: '50000', currency: 'USD' } },
    }),
  )
  return event.eventId
}

export interface CreatedEndpoint {
  id: string
  secret: string
}

export async function createEndpoint(
  ctx: TestApp,
  owner: TestUser,
  payload: { url: string; eventTypes?: string[]; scope?: 'user' | 'instance' },
): Promise<CreatedEndpoint> {
  const response = await ctx.call({
    method: 'POST',
    url: '/api/v1/webhooks',
    token: owner.token,
    payload: { eventTypes: ['*'], ...payload },
  })
  if (response.statusCode !== 201) throw new Error(`endpoint not created: ${response.statusCode} ${response.body}`)
  return response.json<CreatedEndpoint>()
}

export async function deliveriesOf(ctx: TestApp, owner: TestUser, endpointId: string) {
  const response = await ctx.call({
    method: 'GET',
    url: `/api/v1/webhooks/${endpointId}/deliveries`,
    token: owner.token,
  })
  if (response.statusCode !== 200) throw new Error(`deliveries: ${response.statusCode} ${response.body}`)
  return response.json<{
    items: Array<{
      id: string
      eventId: string
      status: string
      attempts: number
      nextAttemptAt: string | null
      lastStatusCode: number | null
      lastDurationMs: number | null
      lastError: string | null
    }>
  }>().items
}
