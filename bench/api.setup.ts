// bench/api's fixtures: a fresh database per driver, the server in its own process, and the
// accounts, jobs and threads the measured requests use.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import postgres from 'postgres'
import { root, startProcess } from './run-server.js'

export type Driver = 'pglite' | 'postgres'

const words = [
  'typescript',
  'react',
  'landing',
  'page',
  'api',
  'postgres',
  'design',
  'logo',
  'mobile',
  'app',
  'shopify',
  'seo',
  'copywriting',
  'video',
  'data',
  'pipeline',
  'python',
  'scraper',
  'wordpress',
  'migration',
]
const pick = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => words[(seed * 7 + i * 13) % words.length]!)

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

/** One JSON request over a kept-alive connection (cheaper for the load generator than fetch). */
export function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<any> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      base + path,
      {
        method,
        agent,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))
          else resolve(text ? JSON.parse(text) : null)
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export interface Fixture {
  driver: Driver
  base: string
  clientToken: string
  operatorToken: string
  /** 100 proposal threads (one per job and workroom) the client can post into. */
  threadIds: string[]
  /** Postgres: the bench database's URL; PGlite: null (its data dir belongs to the server). */
  databaseUrl: string | null
  stop(): Promise<void>
}

function runCli(script: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))))
  })
}

/** A fresh database, the server on it (request logging off), and `jobs` published jobs. */
export async function setUp(
  driver: Driver,
  options: { adminUrl: string; jobs: number; port: number },
): Promise<Fixture> {
  const name = `workroom_bench_${randomBytes(4).toString('hex')}`
  const dataDir = `/tmp/${name}`
  await mkdir(dataDir, { recursive: true })
  let databaseUrl: string | null = null
  const admin = driver === 'postgres' ? postgres(options.adminUrl, { max: 1, onnotice: () => {} }) : null
  if (admin) {
    await admin.unsafe(`create database "${name}"`)
    const url = new URL(options.adminUrl)
    url.pathname = `/${name}`
    databaseUrl = url.toString()
  }
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: String(options.port),
    LOG_LEVEL: 'warn',
    SCHEDULER_INTERVAL_MS: '0',
    MAIL_POLL_MS: '0',
    // One client seeding thousands of jobs and posting thousands of messages a second: the
    // rate limits would measure themselves.
    WRITES_PER_MINUTE: '1000000',
    MESSAGES_PER_MINUTE: '1000000',
    REGISTRATIONS_PER_HOUR: '1000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  }
  if (!databaseUrl) delete process.env.DATABASE_URL
  const password = 'correct horse battery'
  // The operator exists before the server starts (PGlite's data dir has one process at a time).
  await runCli(
    'server/cli/admin-create.ts',
    ['--email', 'ops@bench.example', '--password', password, '--name', 'Ops'],
    env,
  )
  const server = await startProcess('server/main.ts', env, `http://127.0.0.1:${options.port}/healthz`)
  const base = `http://127.0.0.1:${options.port}`
  const stop = async () => {
    await server.stop()
    if (admin) {
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end()
    }
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const register = (email: string, name: string) =>
      call(base, 'POST', '/api/v1/auth/register', { email, password, name })
    const client = await register('client@bench.example', 'Client')
    const freelancer = await register('free@bench.example', 'Freelancer')
    const operator = await call(base, 'POST', '/api/v1/auth/login', { email: 'ops@bench.example', password })
    const threadIds: string[] = []
    for (let i = 0; i < options.jobs; i++) {
      const job = await call(
        base,
        'POST',
        '/api/v1/jobs',
        {
          title: `${pick(3, i).join(' ')} project ${i}`,
          description: `We need help with ${pick(8, i + 3).join(' ')}. Long-term work possible.`,
          skills: pick(2, i + 5),
          arrangement: 'fixed',
          currency: 'USD',
          budgetMin: 10_000 + i,
          budgetMax: 50_000 + i,
          visibility: 'public',
          proposalDeadline: '2099-12-31T00:00:00Z',
        },
        bearer(client.token),
      )
      await call(base, 'POST', `/api/v1/jobs/${job.id}/publish`, {}, bearer(client.token))
      if (threadIds.length < 100) {
        const proposal = await call(
          base,
          'POST',
          `/api/v1/jobs/${job.id}/proposals`,
          { coverLetter: 'I can do this.', bidAmount: 30_000, estimatedDays: 10 },
          bearer(freelancer.token),
        )
        threadIds.push(proposal.threadId)
      }
    }
    return {
      driver,
      base,
      clientToken: client.token,
      operatorToken: operator.token,
      threadIds,
      databaseUrl,
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Runs `op` from `workers` loops for `seconds`; returns operations per second. */
export async function measureLoop(seconds: number, workers: number, op: () => Promise<void>): Promise<number> {
  const end = Date.now() + seconds * 1000
  let count = 0
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        await op()
        count++
      }
    }),
  )
  return count / (Number(process.hrtime.bigint() - started) / 1e9)
}
