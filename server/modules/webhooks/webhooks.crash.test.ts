// Crash safety with real processes on PGlite on disk: a process killed (SIGKILL) right after
// committing an event leaves its delivery in the outbox, and a server started afterwards
// sends it; a server killed while the receiver has not answered yet sends it again after a
// restart, with the same event id, until it is acknowledged.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { webhookDeliveriesTable, webhookEndpointsTable } from '../../../db/schema/index.js'
import { buildApp } from '../../app.js'
import { createTestClock } from '../../clock.js'
import { loadConfig } from '../../config.js'
import { migratedDataDir, projectRoot } from '../../../test/fixtures.js'
import { startServer } from '../../../test/fixtures/server-process.js'
import { startReceiver } from '../../../test/fixtures/webhook-receiver.js'
import { until } from '../../../test/fixtures/realtime.js'
import { nodeScript } from '../../../test/fixtures/node-script.js'

t.setTimeout(300_000)

const webhookEnv = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '1000' }

t.test('SIGKILL between commit and send, then during a send: delivered after restart, same event id', async (t) => {
  const receiver = await startReceiver(['hold'])
  t.teardown(() => receiver.close())
  const dataDir = await migratedDataDir('workroom-webhooks-')
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const env = { DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', ...webhookEnv }

  // An account with an endpoint, made in-process, then closed.
  const setup = await buildApp(loadConfig({ ...env, SCHEDULER_INTERVAL_MS: '0', WEBHOOK_POLL_MS: '0' }), {
    clock: createTestClock(new Date()),
  })
  const user = await setup.accounts.createOperator({
    email: `alice.${Date.now()}@example.com`,
    password: 'correct horse battery staple',
    name: 'Alice',
  })
  const endpointId = randomUUID()
  const at = new Date()
  await setup.db.insert(webhookEndpointsTable).values({
    id: endpointId,
    ownerId: user.id,
    scope: 'user',
    url: receiver.url,
    eventTypes: ['*'],
    secret: 'whsec_test',
    createdAt: at,
    updatedAt: at,
  })
  await setup.close()

  // 1. A process commits the event and is killed before any outbox pass.
  const writer = spawn(process.execPath, [...nodeScript('test/fixtures/webhook-event-writer.ts'), user.id], {
    cwd: projectRoot,
    env: { ...process.env, ...env, REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  writer.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  writer.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await until(() => /committed [0-9a-f-]{36}/.test(output), 60_000, `the writer commits an event (${output})`)
  const eventId = /committed ([0-9a-f-]{36})/.exec(output)![1]!
  writer.kill('SIGKILL')
  await new Promise((resolve) => writer.once('exit', resolve))
  t.equal(receiver.received.length, 0, 'nothing was sent before the kill')

  // 2. A server starts, sends it; the receiver holds the request, and the server is killed mid-send.
  const first = await startServer({ ...env, WEBHOOK_POLL_MS: '100' })
  await until(() => receiver.received.length === 1, 30_000, 'the restarted server sends the committed event')
  first.child.kill('SIGKILL')
  await new Promise((resolve) => first.child.once('exit', resolve))
  t.equal(receiver.received[0]!.json.id, eventId, 'with the id the event was committed with')

  // 3. Restarted: the unacknowledged delivery is sent again once its lease has run out.
  const second = await startServer({ ...env, WEBHOOK_POLL_MS: '100' })
  t.teardown(() => second.child.kill('SIGKILL'))
  await until(() => receiver.received.length === 2, 30_000, 'the unacknowledged delivery is sent again')
  t.same(
    receiver.received.map((r) => r.json.id),
    [eventId, eventId],
    'the same event id both times',
  )
  // Stopped gracefully: the log says delivered, tried twice.
  const stopped = new Promise((resolve) => second.child.once('exit', resolve))
  second.child.kill('SIGTERM') // a graceful stop waits for the pass in progress to record its answer
  await stopped
  const check = await buildApp(loadConfig({ ...env, SCHEDULER_INTERVAL_MS: '0', WEBHOOK_POLL_MS: '0' }))
  t.teardown(() => check.close())
  const [delivery] = await check.db
    .select()
    .from(webhookDeliveriesTable)
    .where(eq(webhookDeliveriesTable.endpointId, endpointId))
  t.match(delivery, { eventId, status: 'delivered', attempts: 2, lastStatusCode: 200 })
  t.equal(receiver.received.length, 2, 'acknowledged: not sent a third time')
})
