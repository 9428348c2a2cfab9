// Web app budgets: JavaScript shipped for the first page (gzipped), time until the first
// page is usable in headless Chromium, and how long a terms edit takes to show in the other
// party's browser (p95). Runs the real server (`tsx server/main.ts`) on a fresh data dir.
//
//   npx tsx bench/web.ts            (needs /usr/bin/chromium and a built app: npm run build:web)
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium, type Page } from 'playwright-core'
import { root, startProcess } from './run-server.js'

const dist = path.join(root, 'client/web/dist')
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const pct = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!

// 1. The first page's JavaScript: the entry script and what it preloads.
const html = await readFile(path.join(dist, 'index.html'), 'utf8')
const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!)
let firstPageGzip = 0
for (const script of scripts) firstPageGzip += gzipSync(await readFile(path.join(dist, script))).length

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workroom-bench-web-'))
const port = 3900 + Math.floor(Math.random() * 90)
const base = `http://127.0.0.1:${port}`
const server = await startProcess(
  'server/main.ts',
  { PORT: String(port), DATA_DIR: dataDir, PUBLIC_URL: base, LOG_LEVEL: 'info', HOST: '127.0.0.1' },
  /listening|running/i,
)
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: flags })

try {
  const call = async (method: string, url: string, token?: string, body?: unknown) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        origin: base,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`)
    return response.status === 204 ? null : response.json()
  }
  const account = async (name: string) => {
    const email = `${name}.${Date.now()}@example.com`
    const { token } = await call('POST', '/api/v1/auth/register', undefined, {
      email,
      password: 'correct horse battery staple',
      name,
    })
    return { email, token: token as string }
  }
  const client = await account('cleo')
  const freelancer = await account('fred')
  const job = await call('POST', '/api/v1/jobs', client.token, {
    title: 'Benchmark job',
    description: 'Scope',
    arrangement: 'fixed',
    currency: 'USD',
    budgetMin: 10000,
    budgetMax: 20000,
  })
  await call('POST', `/api/v1/jobs/${job.id}/publish`, client.token)
  const proposal = await call('POST', `/api/v1/jobs/${job.id}/proposals`, freelancer.token, {
    coverLetter: 'Hi',
    bidAmount: 15000,
    estimatedDays: 5,
  })
  const contract = await call('POST', `/api/v1/proposals/${proposal.id}/hire`, client.token)
  await call('POST', `/api/v1/contracts/${contract.id}/accept`, freelancer.token)

  // 2. Time to usable: the job board with its search box and first results, cold cache.
  const usable: number[] = []
  for (let run = 0; run < 7; run++) {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${base}/jobs`, { waitUntil: 'commit' })
    await page.waitForSelector('#q:not([disabled])')
    await page.waitForSelector('.job-card, .state--empty')
    usable.push(await page.evaluate<number>('performance.now()'))
    await context.close()
  }

  // 3. Terms edit latency: one browser types, the other's editor shows it.
  const open = async (email: string): Promise<Page> => {
    const context = await browser.newContext({ baseURL: base })
    const page = await context.newPage()
    await page.request.post('/api/v1/auth/login', {
      data: { email, password: 'correct horse battery staple' },
      headers: { origin: base },
    })
    await page.goto(`/contracts/${contract.id}`)
    await page.waitForSelector('[data-testid=scope-editor]')
    return page
  }
  const writer = await open(client.email)
  const reader = await open(freelancer.email)
  await reader.waitForFunction("document.querySelector('[data-testid=presence]')?.textContent?.includes('cleo')")
  await writer.click('[data-testid=scope-editor]')
  await writer.keyboard.press('End')
  const latencies: number[] = []
  for (let i = 0; i < 60; i++) {
    const marker = `~${i}~`
    // A string, not a function: tsx's name helpers do not exist inside the page.
    const seen = reader.evaluate<number>(`new Promise((resolve) => {
      const editor = document.querySelector('[data-testid=scope-editor]')
      const check = () => {
        if (editor.textContent.includes(${JSON.stringify(marker)})) {
          observer.disconnect()
          resolve(Date.now())
        }
      }
      const observer = new MutationObserver(check)
      observer.observe(editor, { subtree: true, childList: true, characterData: true })
      check()
    })`)
    const sent = await writer.evaluate<number>('Date.now()')
    await writer.keyboard.type(marker)
    latencies.push((await seen) - sent)
    await writer.waitForTimeout(50)
  }

  const ms = (n: number) => `${Math.round(n)} ms`
  console.log('## Web app')
  console.log(
    `first page JavaScript (gzipped): ${(firstPageGzip / 1024).toFixed(1)} KB in ${scripts.length} file(s) (budget 250 KB)`,
  )
  console.log(
    `first page usable (job board, cold): median ${ms(pct(usable, 50))}, max ${ms(Math.max(...usable))} over ${usable.length} loads (budget 1.5 s)`,
  )
  console.log(
    `terms edit visible in the other browser: p50 ${ms(pct(latencies, 50))}, p95 ${ms(pct(latencies, 95))}, max ${ms(Math.max(...latencies))} over ${latencies.length} edits (budget p95 200 ms)`,
  )
} finally {
  await browser.close()
  await server.stop()
  await rm(dataDir, { recursive: true, force: true })
}
