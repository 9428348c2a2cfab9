// Time travel for the tracker tests: the freelancer's browser runs on Playwright's clock and
// the server on a running test clock; both jump together, so the server never sees a
// segment "from the future" and the browser never waits ten real minutes.
import { and, eq } from 'drizzle-orm'
import type { BrowserContext, Page } from 'playwright-core'
import { capturePlansTable } from '../../db/schema/index.js'
import type { TestUser } from '../helper.js'
import { bindTerms } from '../fixtures/ended-contract.js'
import { act, hire, hourlyJob, postJob, propose } from '../marketplace.js'
import type { E2EServer } from './harness.js'

export const SEGMENT = 10 * 60_000

/**
 * Moves the browser's clock to `at` and holds it there (Playwright's `pauseAt`: due timers
 * fire once), and the server's clock to at least `at`. A held browser clock makes the test
 * immune to machine load: keys typed after the jump land in the minute the test chose. The
 * server keeps running from there, a little ahead of the browser, as a server may.
 */
export async function jumpAt(server: E2EServer, page: Page, at: number): Promise<void> {
  // A slow machine may already have run the browser's clock past `at` (its timers for then
  // fired on their own): hold it where it is rather than ask for a jump into the past. The
  // clock runs on while that is asked, so under load the moment read may be past too: ask again.
  for (let attempt = 1; ; attempt++) {
    const target = Math.max(at, (await browserNow(page)) + 1)
    if (server.clock.now().getTime() < target) server.clock.set(new Date(target))
    try {
      await page.clock.pauseAt(target)
      return
    } catch (err) {
      if (attempt >= 5 || !/fast-forward to the past/.test(String(err))) throw err
    }
  }
}

/**
 * Where a tracker test starts its clocks: now, unless the week (Monday to Sunday in UTC) ends
 * within three hours; then an hour into the next week. The tracker page shows the current
 * week, so a walk that crossed Sunday midnight would find its segments split between two
 * weeks (CI runs at any hour, Sundays included).
 */
export function clearOfWeekEnd(now = Date.now()): number {
  const week = 7 * 24 * 3_600_000
  const aMonday = Date.UTC(1970, 0, 5)
  const nextWeek = now - ((now - aMonday) % week) + week
  return nextWeek - now < 3 * 3_600_000 ? nextWeek + 3_600_000 : now
}

/**
 * Starts the server's clock and each browser context's at `clearOfWeekEnd()`. The contexts'
 * clocks run on from there (jumps move the ones the test drives).
 */
export async function startClocks(server: E2EServer, ...contexts: BrowserContext[]): Promise<number> {
  const start = clearOfWeekEnd()
  if (server.clock.now().getTime() < start) server.clock.set(new Date(start))
  for (const context of contexts) await context.clock.install({ time: start })
  return start
}

/** The browser's current time (its fake clock). */
export const browserNow = (page: Page) => page.evaluate(() => Date.now())

/** Moves both clocks `ms` forward from the browser's time. */
export async function jump(server: E2EServer, page: Page, ms: number): Promise<void> {
  await jumpAt(server, page, (await browserNow(page)) + ms)
}

/** Jumps to `offset` ms into the segment `segments` after the browser's current one; returns that segment's start. */
export async function jumpTo(server: E2EServer, page: Page, segments: number, offset: number): Promise<number> {
  const now = await browserNow(page)
  const segment = now - (now % SEGMENT) + segments * SEGMENT
  await jumpAt(server, page, segment + offset)
  return segment
}

/** Starts the tracker on the page with a memo (the fake screen is shared without a prompt). */
export async function startTracker(page: Page, memo: string): Promise<void> {
  await page.getByLabel('Memo').fill(memo)
  await page.getByRole('button', { name: 'Start tracking' }).click()
  await page.getByTestId('tracker-state').getByText('tracking').waitFor()
  await page.getByTestId('tracker-state').getByText('screen shared').waitFor()
}

/** The week's segments as the API has them (the freelancer's token). */
export async function segmentsOnServer(server: E2EServer, contractId: string, token: string) {
  const res = await server.call({ method: 'GET', url: `/api/v1/contracts/${contractId}/segments`, token })
  if (res.statusCode !== 200) throw new Error(`segments: ${res.statusCode} ${res.body}`)
  return res.json() as {
    segments: Array<{
      start: string
      memo: string
      activeMinutes: number
      screenshots: Array<{ id: string; capturedAt: string }>
    }>
    timesheet: { id: string; state: string } | null
  }
}

/**
 * An active hourly contract with binding terms, made the way users make it (post, propose,
 * hire, accept, bind) through the HTTP API: the browser tests start from there.
 */
export async function hourlyContract(
  server: E2EServer,
  rate = 6000,
): Promise<{ contractId: string; client: TestUser; freelancer: TestUser }> {
  const client = await server.register('Hana Client')
  const freelancer = await server.register('Ivo Freelancer')
  const job = await postJob(server.call, client.token, hourlyJob)
  const proposal = await propose(server.call, freelancer.token, job.id, {
    coverLetter: 'React is my daily work.',
    hourlyRate: rate,
    estimatedDays: 30,
  })
  const contract = await hire(server.call, client.token, proposal.id)
  await act(server.call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)
  await bindTerms(server, contract.id, client, freelancer)
  return { contractId: contract.id, client, freelancer }
}

/**
 * The tracker moves the server's moments by the clock offset it measured (a few ms either way):
 * a jump this far past a moment makes it due in the browser too (well inside the tolerance).
 */
const PAST_MOMENT_MS = 1_000

/**
 * Waits until the page has the server's answer with the moments (the plan is in the database as
 * soon as the server picked it, a moment before the answer reaches the browser), then lets the
 * tracker take it in.
 */
async function answerReceived(page: Page): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const received = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .some(
          (entry) => entry.name.includes('/workview/segment') && (entry as PerformanceResourceTiming).responseEnd > 0,
        ),
    )
    if (received) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await new Promise((resolve) => setTimeout(resolve, 300))
}

/**
 * Waits until the tracker on the page has asked the server for the current segment's capture
 * moments and has the answer; returns the first one still ahead of the browser's clock (epoch ms),
 * plus a second (see PAST_MOMENT_MS).
 */
export async function captureMomentOf(server: E2EServer, page: Page, contractId: string): Promise<number> {
  const now = await browserNow(page)
  const segmentStart = new Date(now - (now % SEGMENT))
  for (let tries = 0; tries < 100; tries++) {
    const [plan] = await server.app.db
      .select()
      .from(capturePlansTable)
      .where(and(eq(capturePlansTable.contractId, contractId), eq(capturePlansTable.segmentStart, segmentStart)))
    const moment = plan?.moments.map((m) => Date.parse(m)).find((m) => m >= now)
    if (moment !== undefined) {
      await answerReceived(page)
      return moment + PAST_MOMENT_MS
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the tracker never asked for the capture moments of ${segmentStart.toISOString()}`)
}

/** Moves both clocks to the segment's next capture moment: the tracker takes its screenshot. */
export async function jumpToCaptureMoment(server: E2EServer, page: Page, contractId: string): Promise<number> {
  const moment = await captureMomentOf(server, page, contractId)
  await jumpAt(server, page, moment)
  return moment
}
