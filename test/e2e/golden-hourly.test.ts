// The hourly golden path in the browser, each step a click or a form as its users make it:
// the client posts an hourly job, the freelancer proposes a rate, the client hires, the
// freelancer accepts (rate, weekly limit and manual-time flag bind at once, no terms round),
// the client deposits, the freelancer tracks time with a (fake) shared screen and the
// screenshot shows up live in the client's Work View, the open week shows its running amount,
// the freelancer submits the week, the client approves and pays, the invoice is formal and
// paid, the freelancer withdraws, the client ends the contract and both leave feedback.
// Time is driven: the freelancer's browser on Playwright's clock, the server on the test
// clock, moved together.
import t from 'tap'
import {
  bothLeaveFeedback,
  depositThroughOperator,
  hireFrom,
  postJobOnPage,
  proposalInWorkroom,
  proposeOnPage,
  withdrawThroughOperator,
} from './golden-steps.js'
import { fakeMediaFlags, launchBrowser, newUser, signIn, signUp, snap, startServer, type E2EServer } from './harness.js'
import {
  jump,
  jumpAt,
  jumpTo,
  jumpToCaptureMoment,
  segmentsOnServer,
  startClocks,
  startTracker,
} from './tracker-helpers.js'

t.setTimeout(300_000)

const suite = 'golden-hourly'
const password = 'correct horse battery staple'

/** The session token of an account that signed up in a browser (to compare the pages with the API). */
async function tokenOf(server: E2EServer, email: string): Promise<string> {
  const response = await server.call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
  if (response.statusCode !== 200) throw new Error(`login: ${response.statusCode} ${response.body}`)
  return response.json().token
}

t.test('hourly in the browser, from the job post to both feedbacks', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t, fakeMediaFlags)
  const ops = { email: `ops.${Date.now()}@example.com`, password }
  await server.app.accounts.createOperator({ ...ops, name: 'Olga Ops' })

  const clientSide = await newUser(browser, server.base)
  const fl = await newUser(browser, server.base, { timezoneId: 'America/New_York' })
  const operatorSide = await newUser(browser, server.base)
  await startClocks(server, clientSide.context, fl.context, operatorSide.context)
  const client = clientSide.page
  const freelancer = fl.page
  const operator = operatorSide.page
  const title = 'Ongoing help with a React dashboard'
  let contractPath = ''
  let freelancerEmail = ''

  await t.test('post, propose a rate, hire, accept: the offer’s terms bind', async (t) => {
    await signUp(client, 'Hana')
    await client.goto('/jobs/new')
    await postJobOnPage(client, {
      title,
      description: 'A few hours a week on filters and charts.',
      arrangement: 'hourly',
      from: '40',
      upTo: '70',
    })

    freelancerEmail = await signUp(freelancer, 'Ivo')
    await proposeOnPage(freelancer, {
      search: 'dashboard',
      title,
      coverLetter: 'React is my daily work.',
      amount: '60',
      days: '60',
    })

    await client.goto('/me')
    contractPath = await hireFrom(client, await proposalInWorkroom(client, { title, freelancer: 'Ivo' }), 'Ivo')

    await freelancer.goto(contractPath)
    await freelancer.getByRole('button', { name: 'Accept the offer' }).click()
    await freelancer.getByText('terms version 1 binding').waitFor()
    await freelancer.getByText('$60.00 / h').first().waitFor()
    await freelancer.getByTestId('version-1').getByRole('button', { name: 'Show terms' }).click()
    await freelancer.getByTestId('version-1').getByText('Weekly limit: 40 h').waitFor()
    await freelancer.getByTestId('version-1').getByText('Manual time not allowed').waitFor()
    await client.getByText('terms version 1 binding').waitFor()
    t.pass('rate, weekly limit and manual-time flag bound by the accept')
  })

  await t.test('deposit, confirmed by the operator', async (t) => {
    await client.goto('/wallet')
    await signIn(operator, ops, '/operator')
    await depositThroughOperator(client, operator, { typed: '500', shown: '$500.00' })
    t.pass('the client can pay for the week')
  })

  const contractId = () => contractPath.split('/').pop()!
  await t.test('the freelancer tracks; the screenshot shows up live in the client’s Work View', async (t) => {
    await client.goto(`${contractPath}/workview`)
    await client.getByText('No screenshots this week yet.').waitFor()

    await freelancer.goto(contractPath)
    await freelancer.getByRole('link', { name: 'Open the tracker' }).click()
    await freelancer.getByTestId('input-notice').waitFor()
    await startTracker(freelancer, 'Dashboard: filters')
    await freelancer.getByLabel('Memo').press('End')
    await freelancer.keyboard.type(' and totals')
    await freelancer.getByTestId('current-segment').waitFor()

    // Into the next segment (the first one is over and uploads), then to the capture moment
    // the server picked for it (the frame is grabbed and uploaded), then near its end.
    const second = await jumpTo(server, freelancer, 1, 1000)
    await jumpToCaptureMoment(server, freelancer, contractId())
    await freelancer.getByText(/Screenshots this session: [1-9]/).waitFor()
    await jumpAt(server, freelancer, second + 10 * 60_000 - 200)
    await freelancer.getByLabel('Memo').press('End')
    await freelancer.keyboard.type(' done')
    await freelancer.getByTestId('outbox-empty').waitFor()

    // The second segment ends; its upload makes the client's Work View show the screenshot live.
    await jump(server, freelancer, 1000)
    await client.getByTestId('screenshot').first().waitFor({ timeout: 15_000 })
    t.ok(
      await client.getByTestId('screenshot').first().locator('img').isVisible(),
      'the client sees the screenshot without reloading',
    )
    await snap(client, suite, '01-workview-client')

    await freelancer.getByTestId('outbox-empty').waitFor()
    await freelancer.getByTestId('week-segment').nth(1).waitFor()
    const week = await segmentsOnServer(server, contractId(), await tokenOf(server, freelancerEmail))
    const segment = week.segments.find((s) => new Date(s.start).getTime() === second)
    t.equal(segment?.memo, 'Dashboard: filters and totals done', 'the segment has the memo typed on the page')
    t.ok((segment?.activeMinutes ?? 0) >= 1, 'and activity from the keys typed on the page')
    t.ok((segment?.screenshots.length ?? 0) >= 1, 'and its screenshot')
    // The rest needs no held time (pages wait on timers): let the browser's clock run again.
    await freelancer.clock.resume()
    await freelancer.getByRole('button', { name: 'Stop tracking' }).click()
    await freelancer.getByTestId('tracker-state').getByText('stopped').waitFor()
  })

  let amount = ''
  await t.test('the open week shows its running amount; the freelancer submits it', async (t) => {
    await freelancer.getByRole('link', { name: 'Timesheets' }).click()
    const sheets = freelancer.getByTestId('timesheets')
    await sheets.getByText('open', { exact: true }).first().waitFor()
    const [open] = (
      await server.call({
        method: 'GET',
        url: `/api/v1/contracts/${contractId()}/timesheets`,
        token: await tokenOf(server, freelancerEmail),
      })
    ).json().items
    t.ok(open.amount > 0, `the server’s running amount: ${open.amount}`)
    amount = `$${(open.amount / 100).toFixed(2)}`
    await sheets.getByText(`· ${amount}`).waitFor()
    t.pass(`the open week shows ${amount} on the page`)
    await snap(freelancer, suite, '02-open-week')
    await freelancer.getByLabel('Notes for the client').fill('Filters done; charts next week.')
    await freelancer.getByRole('button', { name: /^Submit week/ }).click()
    await sheets.getByText('submitted', { exact: true }).first().waitFor()
  })

  await t.test('the client approves and pays; the invoice is formal and paid', async (t) => {
    await client.goto(`${contractPath}/timesheets`)
    await client.getByRole('button', { name: `Approve and pay ${amount}` }).click()
    await client.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await client.getByTestId('timesheets').getByText('approved', { exact: true }).first().waitFor()
    // A reload mid-path: the approved week and its invoice come back from the server.
    await client.reload()
    await client.getByTestId('timesheets').getByText('approved', { exact: true }).first().waitFor()
    await client.getByTestId('timesheets').getByRole('link', { name: 'invoice 1' }).click()
    const invoice = client.getByTestId('invoice')
    await invoice.waitFor()
    await invoice.getByText('paid', { exact: true }).waitFor()
    t.match(await invoice.getByRole('heading').first().textContent(), /Invoice INV-\d+/, 'numbered: a formal invoice')
    t.equal((await client.getByTestId('invoice-total').textContent())?.trim(), amount, 'for the week’s amount')
    await snap(client, suite, '03-invoice')
  })

  await t.test('the freelancer withdraws; the client ends the contract; both leave feedback', async (t) => {
    const cents = Math.round(Number(amount.slice(1).replace(/,/g, '')) * 100)
    const net = `$${((cents - Math.round(cents / 10)) / 100).toFixed(2)}`
    t.equal(await withdrawThroughOperator(freelancer, operator), net, 'the week less the 10 % fee, paid out')

    await client.goto(contractPath)
    await client.getByRole('button', { name: 'End the contract' }).click()
    await client.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await client.getByText('ended', { exact: true }).first().waitFor()
    const { hiddenBeforeReveal } = await bothLeaveFeedback(client, freelancer, {
      contractPath,
      byClient: 'Careful and fast.',
      byFreelancer: 'Quick approvals.',
    })
    t.ok(hiddenBeforeReveal, 'the client’s feedback is hidden from the freelancer before the reveal')
    await snap(freelancer, suite, '04-feedback')
  })
})
