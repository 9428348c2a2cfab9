// Work View live: the server picks the segment's capture moment, the freelancer's tracker takes
// the screenshot then, and the client's Work View page shows it, with the segment's activity
// so far, within 2 s of its being taken (from the event stream, without a reload).
import t from 'tap'
import { eventStreamOpen, fakeMediaFlags, launchBrowser, newUser, signIn, snap, startServer } from './harness.js'
import { hourlyContract, jumpTo, jumpToCaptureMoment, startClocks, startTracker } from './tracker-helpers.js'

t.setTimeout(120_000)

t.test('a screenshot appears on the client’s Work View within 2 s of being taken', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t, fakeMediaFlags)
  const { contractId, client, freelancer } = await hourlyContract(server)

  const clientSide = await newUser(browser, server.base)
  const { context, page } = await newUser(browser, server.base)
  await startClocks(server, clientSide.context, context)
  await signIn(clientSide.page, client, `/contracts/${contractId}/workview`)
  await clientSide.page.getByText('No screenshots this week yet.').waitFor()
  await eventStreamOpen(clientSide.page)

  await signIn(page, freelancer, `/contracts/${contractId}/tracker`)
  // Tracking starts a second into a segment: its capture moment is minutes away, after the
  // typing below. Started wherever the clock stood, a run in a segment's last seconds saw the
  // moment go by, or the segment end, before the keys were typed (no moment left to jump to,
  // or a screenshot of a segment with no activity).
  await jumpTo(server, page, 1, 1000)
  await page.clock.resume()
  await startTracker(page, 'Checkout page')
  await page.getByLabel('Memo').press('End')
  await page.keyboard.type(' and cart')

  // The browser's clock goes to just past the server's moment: the tracker grabs the frame.
  const moment = await jumpToCaptureMoment(server, page, contractId)
  const takenAt = performance.now()
  const shot = clientSide.page.getByTestId('screenshot')
  await shot.first().waitFor({ timeout: 5_000 })
  const elapsed = performance.now() - takenAt
  t.ok(elapsed < 2000, `the client saw the screenshot ${elapsed.toFixed(0)} ms after it was taken`)
  t.ok(await shot.first().locator('img').isVisible(), 'with its thumbnail')
  await shot
    .first()
    .getByText(/Checkout page and cart · active [1-9]\/10 min so far/)
    .waitFor()
  t.pass('with the memo and the activity so far, before the segment is over')
  await page.getByText(/Screenshots this session: 1/).waitFor()
  await snap(clientSide.page, 'workview-live', '01-client-sees-shot')

  const week = (
    await server.call({ method: 'GET', url: `/api/v1/contracts/${contractId}/segments`, token: client.token })
  ).json()
  const [open] = week.openSegments
  t.equal(open?.screenshots.length, 1, 'the API lists it with its open segment')
  const capturedAt = Date.parse(open.screenshots[0].capturedAt)
  t.ok(Math.abs(capturedAt - moment) < 90_000, 'taken at the server’s capture moment')
})
