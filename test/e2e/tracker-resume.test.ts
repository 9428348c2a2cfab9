// Tracking that cannot be lost: the freelancer reloads the tracker page in the middle of a
// segment; the session resumes by itself (the memo and the minutes already tracked kept), the
// segment uploads when it ends, and the timesheet bills exactly the minutes tracked in it. A
// session left for half an hour asks once before it resumes.
import t from 'tap'
import type { Page } from 'playwright-core'
import { fakeMediaFlags, launchBrowser, newUser, signIn, snap, startServer, type E2EServer } from './harness.js'
import { hourlyContract, jump, jumpTo, segmentsOnServer, startClocks, startTracker } from './tracker-helpers.js'

t.setTimeout(120_000)

const suite = 'tracker-resume'
const MINUTE = 60_000

/** Moves both clocks a minute on and waits until the page has marked the new minute tracked. */
async function nextMinute(server: E2EServer, page: Page, minute: number): Promise<void> {
  await jump(server, page, MINUTE)
  if (minute > 9) return
  await page
    .getByTestId('current-segment')
    .getByText(new RegExp(`^Minute ${minute + 1}: \\d+ keys, \\d+ pointer$`))
    .waitFor({ state: 'attached' })
}

t.test('a reload mid-segment resumes tracking; the tracked minutes are uploaded and billed', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t, fakeMediaFlags)
  const { contractId, freelancer } = await hourlyContract(server, 6000)
  const { context, page } = await newUser(browser, server.base)
  await startClocks(server, context)

  await signIn(page, freelancer, `/contracts/${contractId}/tracker`)
  await page.getByLabel('Memo').waitFor()
  // Start 2 min 10 s into a segment: its minutes 0 and 1 are not tracked.
  const segment = await jumpTo(server, page, 1, 2 * MINUTE + 10_000)
  await startTracker(page, 'Checkout page')
  for (const minute of [3, 4, 5]) await nextMinute(server, page, minute)
  await jump(server, page, 1000)
  await page.getByLabel('Memo').press('End')
  await page.keyboard.type(' and cart')
  // Kept as typed, synchronously: under load a reload interrupted the IndexedDB write of the
  // last keystrokes ("Checkout page and c" came back), which this copy survives.
  t.equal(
    await page.evaluate((id) => localStorage.getItem(`workroom.tracker-memo.${id}`), contractId),
    'Checkout page and cart',
    'the memo is saved as each key is typed',
  )

  // Minute 5 of the segment: the page reloads right after the typing (as a crash or a closed
  // tab would end it), before anything else has happened on the page.
  await page.reload()
  await page.clock.resume()
  await page.getByTestId('tracker-resumed').waitFor()
  await page.getByTestId('tracker-state').getByText('tracking').waitFor()
  t.equal(await page.getByLabel('Memo').inputValue(), 'Checkout page and cart', 'the memo survived the reload')
  // The browser needs a click to share the screen again; the page offers it.
  await page.getByRole('button', { name: 'Share the screen again' }).click()
  await page.getByTestId('tracker-state').getByText('screen shared').waitFor()
  await snap(page, suite, '01-resumed')

  // Tracking goes on to the end of the segment and into the next one, a minute at a time.
  for (const minute of [6, 7, 8, 9, 10]) await nextMinute(server, page, minute)
  await page.getByTestId('outbox-empty').waitFor()
  await page.getByTestId('week-segment').first().waitFor()
  await snap(page, suite, '02-uploaded')

  const week = await segmentsOnServer(server, contractId, freelancer.token)
  const uploaded = week.segments.find((s) => new Date(s.start).getTime() === segment) as
    ((typeof week.segments)[number] & { minutes: number; billableMinutes: number }) | undefined
  t.ok(uploaded, 'the segment of the reload is on the server')
  t.equal(uploaded?.memo, 'Checkout page and cart', 'with the memo typed before the reload')
  t.equal(
    uploaded?.minutes,
    8,
    `it records the 8 minutes tracked (from minute 2 to the end), across the reload: ${JSON.stringify((uploaded as { activity?: unknown } | undefined)?.activity)}`,
  )
  t.equal(uploaded?.billableMinutes, 8, 'and bills them')
  t.equal(week.segments.length, 1, 'the running segment stays in the browser until it ends')

  const sheets = await server.call({
    method: 'GET',
    url: `/api/v1/contracts/${contractId}/timesheets`,
    token: freelancer.token,
  })
  const [open] = sheets.json().items as Array<{ state: string; amount: number; totals: { billableMinutes: number } }>
  t.equal(open?.state, 'open')
  t.equal(open?.totals.billableMinutes, 8, 'the timesheet bills the 8 tracked minutes, not 10')
  t.equal(open?.amount, 800, '8 minutes at $60.00/h is $8.00')

  // The tab is closed for half an hour: the page asks once before it resumes the session.
  await page.clock.resume()
  await page.goto(`${server.base}/me`)
  await jump(server, page, 30 * MINUTE)
  await page.clock.resume()
  await page.goto(`${server.base}/contracts/${contractId}/tracker`)
  await page.getByTestId('tracker-left-running').waitFor()
  t.match(
    await page.getByTestId('tracker-state').textContent(),
    /^\s*stopped\s*$/,
    'a session left long ago waits for a yes',
  )
  await snap(page, suite, '03-asks-to-resume')
  t.equal(await page.getByLabel('Memo').inputValue(), 'Checkout page and cart', 'with its memo')
  await page.getByRole('button', { name: 'Resume tracking' }).click()
  await page.getByTestId('tracker-state').getByText('tracking').waitFor()
  await page.reload()
  await page.getByTestId('tracker-resumed').waitFor()
  t.equal(await page.getByTestId('tracker-left-running').count(), 0, 'once resumed, a reload resumes without asking')
})
