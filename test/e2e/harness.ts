// End-to-end harness: the real server on a real port (fresh database) and the system
// Chromium driven by playwright-core. One browser per process; contexts are the users.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { webDistDir } from '../../server/plugins/web.js'
import type { TestClock } from '../../server/clock.js'
import { projectRoot } from '../fixtures.js'
import { build, rootTest, type TestApp } from '../helper.js'

/**
 * The system Chromium (Debian's chromium package, new headless mode); CHROMIUM_PATH points
 * elsewhere. It runs the tests that share a screen (the fake display of fakeMediaFlags).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/**
 * Chromium's headless shell (Debian's chromium-headless-shell: the old headless mode, the
 * build browser automation runs headless by default), for every other browser test; the full
 * browser where it is missing or CHROMIUM_PATH is set. It spends ~25% less CPU (the layout
 * test: 42 s of Chromium CPU against 58 s; the suite 298 s instead of 398 s), but the first
 * frame of its fake screen share came late under load (the Work View test failed 1 run of 3
 * at load 6, none of 3 on the full browser), so screen sharing stays on the full one.
 */
export const CHROMIUM_SHELL =
  process.env.CHROMIUM_PATH ||
  (existsSync('/usr/bin/chromium-headless-shell') ? '/usr/bin/chromium-headless-shell' : CHROMIUM)

/** The flags the issue asks for, plus what the fake screen capture needs. */
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
export const fakeMediaFlags = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--auto-select-desktop-capture-source=Entire screen',
]

interface TapTest {
  teardown(fn: () => unknown): void
  comment(...args: unknown[]): void
}

/** A clock that runs with real time (browsers and server agree) but that tests may move. */
export function runningClock(): TestClock {
  let offset = 0
  return {
    now: () => new Date(Date.now() + offset),
    set(at) {
      offset = new Date(at).getTime() - Date.now()
    },
    advance(ms) {
      offset += ms
    },
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** Builds the web app once when no build exists (npm install normally did it). */
export async function ensureWebBuilt(): Promise<void> {
  // WEB_DIR: a build of one's own (the server serves it too), so that rebuilding the web app
  // while browser tests run elsewhere does not blank their pages.
  if (existsSync(path.join(process.env.WEB_DIR || webDistDir, 'index.html'))) return
  await promisify(execFile)(process.execPath, [path.join(projectRoot, 'client/web/build.mjs'), '--strict'], {
    cwd: projectRoot,
  })
}

export interface E2EServer extends TestApp {
  base: string
}

/** The whole app listening on 127.0.0.1 at a free port, its origin allowed. */
export async function startServer(t: TapTest, env: Record<string, string> = {}): Promise<E2EServer> {
  await ensureWebBuilt()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const harness = await build(t, {
    clock: runningClock(),
    env: {
      PORT: String(port),
      PUBLIC_URL: base,
      ALLOWED_ORIGINS: base,
      // Every browser of the run comes from 127.0.0.1, and with REDIS_URL every server of the run
      // counts in one Redis: the budgets kept per address (writes before signing in, searches,
      // event streams) would add up across all the run's browser tests. Their limits are tested
      // on their own (server/plugins/rate-limit.test.ts and the routes' tests).
      WRITES_PER_MINUTE: '100000',
      SEARCHES_PER_MINUTE: '100000',
      WS_CONNECTS_PER_MINUTE: '100000',
      ...env,
    },
  })
  await harness.app.listen({ host: '127.0.0.1', port })
  return { ...harness, base }
}

/** The browsers this process has started, by their flags (see launchBrowser). */
const browsers = new Map<string, Promise<Browser>>()

/**
 * The system Chromium with the given flags. A browser is started once a process and shared by
 * the test files that run in it (starting one costs ~1.6 s of CPU): each test's users are
 * contexts of their own, and the contexts a test opened are closed when it ends.
 */
export async function launchBrowser(t: TapTest, extraFlags: string[] = []): Promise<Browser> {
  const executable = extraFlags.some((flag) => fakeMediaFlags.includes(flag)) ? CHROMIUM : CHROMIUM_SHELL
  // A missing browser fails the run: a skipped browser test would let a broken web app pass.
  if (!existsSync(executable)) {
    throw new Error(
      `the browser tests need Chromium at ${executable}: apt-get install chromium chromium-headless-shell, or set CHROMIUM_PATH`,
    )
  }
  const key = extraFlags.join(' ')
  let launched = browsers.get(key)
  if (
    !launched ||
    !(await launched.then(
      (browser) => browser.isConnected(),
      () => false,
    ))
  ) {
    launched = chromium.launch({
      executablePath: executable,
      headless: true,
      args: [...chromiumFlags, ...extraFlags],
    })
    browsers.set(key, launched)
    const started = launched
    rootTest().teardown(async () => {
      browsers.delete(key)
      await (await started).close()
    })
  }
  const browser = await launched
  const before = new Set(browser.contexts())
  t.teardown(() =>
    Promise.all(
      browser
        .contexts()
        .filter((context) => !before.has(context))
        .map((context) => context.close()),
    ),
  )
  return browser
}

/** A new user's browser: its own cookies, a phone or desktop viewport. */
export async function newUser(
  browser: Browser,
  base: string,
  options: { phone?: boolean; timezoneId?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    timezoneId: options.timezoneId ?? 'Europe/Berlin',
    locale: 'en-US',
  })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  // Surface page errors in the test output: a broken page should say why.
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`))
  return { context, page }
}

const artifactsDir = path.join(projectRoot, 'test-artifacts')

/** Saves a full-page PNG under test-artifacts/<suite>/ for a person to look at. */
export async function snap(page: Page, suite: string, name: string): Promise<void> {
  const dir = path.join(artifactsDir, suite)
  await mkdir(dir, { recursive: true })
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true })
}

let counter = 0
/** A unique email for this run. */
export const email = (who: string) => `${who}.${process.pid}.${Date.now().toString(36)}.${++counter}@example.com`

/** Signs up through the page and lands on "My work". */
export async function signUp(page: Page, name: string): Promise<string> {
  const address = email(name.toLowerCase())
  await page.goto('/signup')
  await page.getByLabel('Your name').fill(name)
  await page.getByLabel('Email').fill(address)
  await page.getByLabel('Password').fill('correct horse battery staple')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'My work' }).waitFor()
  return address
}

/** Signs an existing account in through the page, then opens `next`. */
/**
 * Waits until the page's event stream is open (the bell says so): an event published before
 * that is not delivered to it (events are at most once; a page re-reads on reconnect).
 */
export async function eventStreamOpen(page: Page): Promise<void> {
  await page.locator('a.bell[data-stream="open"]').waitFor()
}

export async function signIn(page: Page, user: { email: string; password: string }, next = '/me'): Promise<void> {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`)
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname === next.split('?')[0])
}
