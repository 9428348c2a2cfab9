// Kill-safety: a server process killed with SIGKILL while a client streams edits loses no
// update that any other client had received.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { createTestClock } from '../server/clock.js'
import { createContract } from './fixtures/contract.js'
import { connectClient, until } from './fixtures/realtime.js'
import { projectRoot } from './fixtures.js'

t.setTimeout(180_000)

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) resolve({ child, base: match[1]! })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output.slice(-2000)}`)))
  })
}

t.test('SIGKILL while a client streams edits: every update another client received survives', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workroom-crash-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  // PGlite on disk in both runs: the child process owns the database, as in production.
  const env = { DATA_DIR: dataDir, DATABASE_URL: '' }
  const clock = createTestClock(new Date())
  const config = loadConfig({ ...env, DATABASE_URL: '', LOG_LEVEL: 'silent', SCHEDULER_INTERVAL_MS: '0' })
  const setup = await buildApp(config, { clock })
  const register = async (name: string) => {
    const response = await setup.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: `${name}.${Date.now()}@example.com`, password: 'correct horse battery staple', name },
    })
    return response.json() as { user: { id: string }; token: string }
  }
  const [writer, watcher] = [await register('writer'), await register('watcher')]
  const { contractId } = await createContract(setup, clock, { clientId: writer.user.id, freelancerId: watcher.user.id })
  await setup.close()
  const docName = `contract:${contractId}:terms`

  const serverEnv = { DATA_DIR: dataDir, DATABASE_URL: '' }
  const first = await startServer(serverEnv)
  const w = await connectClient(first.base, docName, writer.token)
  const r = await connectClient(first.base, docName, watcher.token)
  await Promise.all([w.synced(), r.synced()])
  const received = new Set<string>()
  r.doc.getArray<string>('log').observe((event) => {
    for (const item of event.changes.added) for (const value of item.content.getContent()) received.add(value as string)
  })
  let sent = 0
  const streaming = setInterval(() => {
    for (let i = 0; i < 5; i++) w.doc.getArray<string>('log').push([`u${sent++}`])
  }, 2)
  await until(() => received.size >= 300, 20_000, 'the watcher receives a stream of updates')
  first.child.kill('SIGKILL')
  clearInterval(streaming)
  const seen = new Set(received)
  // Neither client may bring its copy back: only the server's database counts.
  w.destroy()
  r.destroy()
  await new Promise((resolve) => first.child.once('exit', resolve))
  t.comment(`sent ${sent}, the watcher had received ${seen.size} when the server was killed`)

  const second = await startServer(serverEnv)
  t.teardown(() => second.child.kill('SIGKILL'))
  const check = await connectClient(second.base, docName, watcher.token)
  t.teardown(() => check.destroy())
  await check.synced()
  const stored = new Set(check.doc.getArray<string>('log').toArray())
  const missing = [...seen].filter((value) => !stored.has(value))
  t.same(missing, [], `all ${seen.size} received updates are in the restarted document (${stored.size} stored)`)
})
