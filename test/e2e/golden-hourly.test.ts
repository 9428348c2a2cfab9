// The hourly journey in the browser: the freelancer tracks time with a (fake) shared screen,
// the screenshot shows up live in the client's Work View, and the week is submitted and
// approved. Time is driven: the freelancer's browser on Playwright's clock, the server on
// the test clock, moved together.
import t from 'tap'
import { depositConfirmed, makeOperator } from '../money.js'
import { fakeMediaFlags, launchBrowser, newUser, signIn, snap, startServer } from './harness.js'
import { hourlyContract, jump, jumpTo, segmentsOnServer, startTracker } from './tracker-helpers.js'

t.setTimeout(120_000)

const suite = 'hourly'

t.test('hourly: tracker, live Work View, timesheet submitted and approved', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t, fakeMediaFlags)
  const { contractId, client, freelancer } = await hourlyContract(server)
  await depositConfirmed(server, client, await makeOperator(server), 100_000)

  const clientPage = (await newUser(browser, server.base)).page
  const fl = await newUser(browser, server.base, { timezoneId: 'America/New_York' })
  await fl.context.clock.install()
  const freelancerPage = fl.page

  await signIn(clientPage, client, `/contracts/${contractId}/workview`)
  await clientPage.getByText('No screenshots this week yet.').waitFor()

  await signIn(freelancerPage, freelancer, `/contracts/${contractId}/tracker`)
  await freelancerPage.getByTestId('input-notice').waitFor()
  await startTracker(freelancerPage, 'Order form: validation')
  await freelancerPage.getByLabel('Memo').press('End')
  await freelancerPage.keyboard.type(' and totals')
  await freelancerPage.getByTestId('current-segment').waitFor()
  await snap(freelancerPage, suite, '01-tracker-started')

  // Near the end of the next segment: the first one is over (uploaded) and the random
  // capture instant of this one has passed (the frame is grabbed and uploaded).
  const second = await jumpTo(server, freelancerPage, 1, 10 * 60_000 - 200)
  await freelancerPage.getByText(/Screenshots this session: [1-9]/).waitFor()
  await freelancerPage.getByLabel('Memo').press('End')
  await freelancerPage.keyboard.type(' done')
  await freelancerPage.getByTestId('outbox-empty').waitFor()

  // The second segment ends; its upload makes the client's Work View show the screenshot live.
  await jump(server, freelancerPage, 1000)
  await clientPage.getByTestId('screenshot').first().waitFor({ timeout: 15_000 })
  t.ok(
    await clientPage.getByTestId('screenshot').first().locator('img').isVisible(),
    'the client sees the screenshot without reloading',
  )
  await snap(clientPage, suite, '02-workview-client')

  await freelancerPage.getByTestId('outbox-empty').waitFor()
  await freelancerPage.getByTestId('week-segment').nth(1).waitFor()
  await snap(freelancerPage, suite, '03-tracker-week')
  const week = await segmentsOnServer(server, contractId, freelancer.token)
  const secondSegment = week.segments.find((s) => new Date(s.start).getTime() === second)
  t.ok(secondSegment, 'the second segment is on the server')
  t.equal(secondSegment?.memo, 'Order form: validation and totals done', 'with the memo typed on the page')
  t.ok((secondSegment?.activeMinutes ?? 0) >= 1, 'and activity from the keys typed on the page')
  t.ok((secondSegment?.screenshots.length ?? 0) >= 1, 'and its screenshot')

  // The rest needs no held time (pages wait on timers): let the browser's clock run again.
  await freelancerPage.clock.resume()
  await freelancerPage.getByRole('button', { name: 'Stop tracking' }).click()
  await freelancerPage.getByRole('link', { name: 'Timesheets' }).click()
  await freelancerPage.getByRole('button', { name: /^Submit week/ }).click()
  await freelancerPage.getByTestId('timesheets').getByText('submitted', { exact: true }).first().waitFor()
  await snap(freelancerPage, suite, '04-timesheet-submitted')

  await clientPage.goto(`/contracts/${contractId}/timesheets`)
  await clientPage.getByRole('button', { name: /^Approve and pay/ }).click()
  await clientPage.getByTestId('timesheets').getByText('approved', { exact: true }).first().waitFor()
  await snap(clientPage, suite, '05-timesheet-approved')
  const after = await segmentsOnServer(server, contractId, client.token)
  t.equal(after.timesheet?.state, 'approved', 'the week is approved')
})
