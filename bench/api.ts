// bench/api: job search and posting a message on Postgres, next to a bare Fastify route
// measured in the same run on the same machine (BENCH-ANCHORS.md's baseline).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/api.ts [--seconds 10] [--connections 10] [--jobs 2000]
//
// The server and the bare baseline each run in their own process; autocannon runs here.
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import postgres from 'postgres'
import { startProcess } from './run-server.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    jobs: { type: 'string', default: '2000' },
  },
})
const seconds = Number(values.seconds)
const connections = Number(values.connections)
const jobCount = Number(values.jobs)
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

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

async function load(title: string, options: autocannon.Options) {
  const result = await autocannon({ duration: seconds, connections, ...options })
  const row = {
    title,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  }
  process.stdout.write(
    `${title}: ${row.requestsPerSecond} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx/errors ${row.errors}\n`,
  )
  return row
}

async function main() {
  const database = `workroom_bench_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${database}"`)
  const url = new URL(adminUrl)
  url.pathname = `/${database}`
  const port = 4100 + Math.floor(Math.random() * 500)
  // Request logging off (warn): the figure is the server's, not pino's.
  const server = await startProcess(
    'server/main.ts',
    {
      DATABASE_URL: url.toString(),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SCHEDULER_INTERVAL_MS: '0',
      // One client seeding thousands of jobs: the rate limits would measure themselves.
      WRITES_PER_MINUTE: '1000000',
      DATA_DIR: `/tmp/${database}`,
    },
    `http://127.0.0.1:${port}/healthz`,
  )
  const bare = await startProcess('bench/bare-server.ts', { PORT: String(port + 1) }, /listening/)
  const base = `http://127.0.0.1:${port}`
  try {
    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
      return response.status === 204 ? null : ((await response.json()) as any)
    }
    const client = await api('POST', '/api/v1/auth/register', {
      email: 'client@bench.example',
      password: 'correct horse battery',
      name: 'Client',
    })
    const freelancer = await api('POST', '/api/v1/auth/register', {
      email: 'free@bench.example',
      password: 'correct horse battery',
      name: 'Freelancer',
    })
    process.stdout.write(`seeding ${jobCount} jobs...\n`)
    let firstJob: any
    for (let i = 0; i < jobCount; i++) {
      const job = await api(
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
        client.token,
      )
      await api('POST', `/api/v1/jobs/${job.id}/publish`, {}, client.token)
      firstJob ??= job
    }
    const proposal = await api(
      'POST',
      `/api/v1/jobs/${firstJob.id}/proposals`,
      { coverLetter: 'I can do this.', bidAmount: 30_000, estimatedDays: 10 },
      freelancer.token,
    )
    const auth = { authorization: `Bearer ${client.token}` }

    const rows = []
    rows.push(await load('bare Fastify GET / (baseline)', { url: `http://127.0.0.1:${port + 1}/` }))
    rows.push(
      await load('GET /api/v1/jobs?q=typescript react', {
        url: `${base}/api/v1/jobs?q=typescript%20react&limit=20`,
        headers: auth,
      }),
    )
    rows.push(
      await load('GET /api/v1/jobs?skills=postgres&sort=recent', {
        url: `${base}/api/v1/jobs?skills=postgres&sort=recent&limit=20`,
        headers: auth,
      }),
    )
    rows.push(
      await load('POST /api/v1/threads/:id/messages', {
        url: `${base}/api/v1/threads/${proposal.threadId}/messages`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'Status update: the header layout is done.' }),
      }),
    )
    const baseline = rows[0]!.requestsPerSecond
    process.stdout.write(
      '\n| route | req/s | ratio to bare Fastify | p50 ms | p99 ms | non-2xx |\n|---|---|---|---|---|---|\n',
    )
    for (const row of rows) {
      process.stdout.write(
        `| ${row.title} | ${row.requestsPerSecond} | ${(row.requestsPerSecond / baseline).toFixed(3)} | ${row.p50} | ${row.p99} | ${row.errors} |\n`,
      )
    }
  } finally {
    await server.stop()
    await bare.stop()
    await admin.unsafe(`drop database if exists "${database}" with (force)`)
    await admin.end()
  }
}

await main()
