// The tracker offline: segments and screenshots queue in the browser (IndexedDB) while the
// connection is gone and upload when it is back, none lost and none doubled.
import t from 'tap'
import { fakeMediaFlags, launchBrowser, newUser, signIn, snap, startServer } from './harness.js'
import {
  browserNow,
  captureMomentOf,
  hourlyContract,
  jump,
  jumpAt,
  jumpTo,
  segmentsOnServer,
  SEGMENT,
  startClocks,
  startTracker,
} from './tracker-helpers.js'

t.setTimeout(120_000)

const suite = 'offline'

t.test('offline: the tracker queues segments and uploads them when back', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t, fakeMediaFlags)
  const { contractId, freelancer } = await hourlyContract(server)
  const { context, page } = await newUser(browser, server.base)
  await startClocks(server, context)

  await signIn(page, freelancer, `/contracts/${contractId}/tracker`)
  // Tracking starts a second into a segment, so that its random capture moment is minutes
  // away rather than possibly seconds, and always comes after the connection is cut below.
  await jumpTo(server, page, 1, 1000)
  await page.clock.resume()
  await startTracker(page, 'Offline work on the train')
  const started = await browserNow(page)
  const first = started - (started % SEGMENT)

  // The server gave the first segment its capture moment; then the connection goes.
  const moment = await captureMomentOf(server, page, contractId)
  await context.setOffline(true)
  await page.getByTestId('outbox').getByText('offline').waitFor()
  // Two segments end while offline; a screenshot is taken at the first one's moment.
  await jumpAt(server, page, moment)
  await page.getByText(/Screenshots this session: [1-9]/).waitFor()
  const second = await jumpTo(server, page, 1, SEGMENT - 200)
  await page.getByLabel('Memo').press('End')
  await page.keyboard.type('!')
  await jump(server, page, 1000)
  await page
    .getByTestId('outbox-pending')
    .getByText(/^2 segments and [1-9] screenshots? waiting to upload$/)
    .waitFor()
  const captured = Number(
    (await page.getByText(/Screenshots this session: \d+/).textContent())?.match(/session: (\d+)/)?.[1],
  )
  await snap(page, suite, '01-queued-offline')
  t.equal(
    (await segmentsOnServer(server, contractId, freelancer.token)).segments.length,
    0,
    'nothing reached the server while offline',
  )

  // A retry while still offline changes nothing; then the connection comes back.
  await jump(server, page, 5000)
  await page.getByTestId('outbox-pending').waitFor()
  await context.setOffline(false)
  await page.getByTestId('outbox-empty').waitFor()
  await snap(page, suite, '02-uploaded')

  // Reopening the page (a fresh tracker reading the outbox) uploads nothing twice.
  await page.clock.resume()
  await page.getByRole('button', { name: 'Stop tracking' }).click()
  await page.reload()
  await page.getByTestId('outbox').waitFor()
  await page.getByTestId('week-segment').nth(1).waitFor()

  const week = await segmentsOnServer(server, contractId, freelancer.token)
  const starts = week.segments.map((s) => new Date(s.start).getTime()).sort()
  t.same(starts, [first, second], 'both segments are on the server, once each')
  const shots = week.segments.flatMap((s) => s.screenshots)
  t.equal(shots.length, captured, `every screenshot taken (${captured}) is on the server, once`)
  t.equal(new Set(shots.map((s) => s.capturedAt)).size, shots.length, 'no screenshot is doubled')
  t.ok(
    week.segments.every((s) => s.memo === 'Offline work on the train!' || s.memo === 'Offline work on the train'),
    'the memo travelled with the segments',
  )
})
