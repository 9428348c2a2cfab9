// The fixed-price golden path in the browser, each step a click or a form as its users make
// it: the client (on a phone) posts a job, the freelancer proposes a plan without due dates,
// the client hires, the freelancer accepts and the plan binds at once (no terms round), the
// client funds, asks for changes, releases part, the rest releases itself after the
// operator's window (the server's clock moved, its scheduler run), the next milestone is paid,
// the client ends the contract, the freelancer withdraws (an operator marks it paid), and both
// leave feedback, revealed to both.
import type { Page } from 'playwright-core'
import t from 'tap'
import { DAY } from '../../server/clock.js'
import { launchBrowser, newUser, signIn, signUp, snap, startServer } from './harness.js'

t.setTimeout(300_000)

const suite = 'golden-fixed-price'
const password = 'correct horse battery staple'

/** Opens a main menu entry the way a phone user does: the menu first. */
async function menu(page: Page, entry: string): Promise<void> {
  await page.getByRole('button', { name: 'Menu' }).click()
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: entry }).click()
}

t.test('fixed price in the browser, from the job post to both feedbacks', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const ops = { email: `ops.${Date.now()}@example.com`, password }
  await server.app.accounts.createOperator({ ...ops, name: 'Olga Ops' })

  const client = (await newUser(browser, server.base, { phone: true })).page
  const freelancer = (await newUser(browser, server.base, { timezoneId: 'Asia/Tokyo' })).page
  const operator = (await newUser(browser, server.base)).page
  const title = 'Bakery website with online orders'
  const milestone = (page: Page, n: number) => page.getByTestId(`milestone-${n}`)
  const shows = (page: Page, n: number, state: string) => milestone(page, n).getByText(state, { exact: true }).waitFor()

  await t.test('the client posts from a phone, the freelancer proposes a plan without due dates', async (t) => {
    await signUp(client, 'Cleo')
    await menu(client, 'Post a job')
    await client.getByLabel('Title').fill(title)
    await client.getByLabel('Description').fill('Menu, opening hours and a simple order form.')
    await client.getByLabel(/Budget from/).fill('800')
    await client.getByLabel(/Budget up to/).fill('1500')
    await client.getByRole('button', { name: 'Publish job' }).click()
    await client.getByRole('heading', { name: title }).waitFor()

    await signUp(freelancer, 'Fred')
    await freelancer.goto('/jobs?q=bakery')
    await freelancer.getByRole('link', { name: title }).click()
    await freelancer.getByLabel('Cover letter').fill('Three steps, each one reviewed by you.')
    await freelancer.getByLabel(/Your bid/).fill('1200')
    await freelancer.getByLabel('Estimated days').fill('30')
    const plan: Array<[string, string]> = [
      ['Design', '400'],
      ['Build', '600'],
      ['Launch', '200'],
    ]
    for (const [i, [name, amount]] of plan.entries()) {
      await freelancer.getByRole('button', { name: 'Add a milestone' }).click()
      const row = freelancer.locator('.plan-row').nth(i)
      await row.getByLabel(`Milestone ${i + 1}`, { exact: true }).fill(name)
      await row.getByLabel(/Amount/).fill(amount)
    }
    await freelancer.getByRole('button', { name: 'Send proposal' }).click()
    await freelancer.getByTestId('own-proposal').waitFor()
    await snap(freelancer, suite, '01-proposal-sent')
    t.pass('proposal sent with a three-milestone plan, no due dates')
  })

  let contractPath = ''
  await t.test('the client hires, the freelancer accepts, the plan binds', async (t) => {
    await menu(client, 'My work')
    await client.getByRole('link', { name: title }).first().click()
    await client.getByRole('link', { name: 'Open the workroom' }).click()
    const card = client.getByTestId('proposal-Fred')
    await card.getByRole('button', { name: 'Read cover letter' }).click()
    await card.getByRole('cell', { name: 'Launch' }).waitFor()
    await snap(client, suite, '02-proposal-phone')
    await card.getByRole('button', { name: 'Hire Fred' }).click()
    await client.getByTestId('offer').waitFor()
    contractPath = new URL(client.url()).pathname

    await freelancer.goto(contractPath)
    await freelancer.getByRole('button', { name: 'Accept the offer' }).click()
    await freelancer.getByText('terms version 1 binding').waitFor()
    await shows(freelancer, 3, 'pending')
    // The client's page hears of the accept: the three milestones appear, the first can be funded.
    await client.getByText('terms version 1 binding').waitFor()
    await milestone(client, 3).getByText('Launch').waitFor()
    t.ok(
      await client.getByRole('button', { name: 'Fund $400.00' }).isVisible(),
      'the first milestone can be funded at once',
    )
    t.equal(await client.getByTestId('milestones').getByText(/due /).count(), 0, 'no due dates')
    await snap(client, suite, '03-bound-phone')
  })

  await t.test('deposit, confirmed by the operator', async (t) => {
    await menu(client, 'Wallet')
    await client
      .getByLabel(/^Amount/)
      .first()
      .fill('1,000')
    await client.getByRole('button', { name: 'Request deposit' }).click()
    await client.getByTestId('deposits').getByText('pending').waitFor()

    await signIn(operator, ops, '/operator')
    await operator.getByRole('button', { name: 'Confirm $1,000.00' }).click()
    await operator.getByText('No deposits waiting.').waitFor()
    // The client's open wallet page hears of the confirmation (no reload).
    await client.getByTestId('balances').getByText('$1,000.00').first().waitFor()
    t.pass('the client’s wallet shows the deposit')
  })

  await t.test('fund, submit, changes, resubmit, release part', async (t) => {
    await client.goto(contractPath)
    await client.getByRole('button', { name: 'Fund $400.00' }).click()
    await shows(client, 1, 'funded')

    await shows(freelancer, 1, 'funded')
    await milestone(freelancer, 1).getByRole('button', { name: 'Submit work' }).click()
    await freelancer.getByLabel('What you delivered').fill('Three mockups in the workroom files.')
    await freelancer.getByRole('button', { name: 'Submit for approval' }).click()
    await shows(freelancer, 1, 'submitted')

    await shows(client, 1, 'submitted')
    await milestone(client, 1).getByRole('button', { name: 'Request changes' }).click()
    await client.getByLabel('What should change').fill('Warmer colours, please.')
    await milestone(client, 1).getByRole('button', { name: 'Request changes' }).last().click()
    await shows(client, 1, 'changes requested')

    await shows(freelancer, 1, 'changes requested')
    await milestone(freelancer, 1).getByRole('button', { name: 'Submit work' }).click()
    await freelancer.getByLabel('What you delivered').fill('Warmer now.')
    await freelancer.getByRole('button', { name: 'Submit for approval' }).click()
    await shows(freelancer, 1, 'submitted')

    await shows(client, 1, 'submitted')
    await milestone(client, 1).getByRole('button', { name: 'Approve and release' }).click()
    await milestone(client, 1)
      .getByLabel(/^Release/)
      .fill('150')
    await milestone(client, 1).getByRole('button', { name: 'Release now' }).click()
    await milestone(client, 1).getByText('In escrow $250.00 · released $150.00').waitFor()
    t.ok(
      await milestone(client, 1).getByText('submitted', { exact: true }).isVisible(),
      'the rest stays in escrow, the work under review',
    )
    await milestone(client, 1)
      .getByText(/releases automatically/)
      .waitFor()
    await snap(client, suite, '04-partial-release-phone')
  })

  await t.test('the operator’s window passes: the rest releases itself', async (t) => {
    server.clock.advance(14 * DAY + 1000)
    await server.app.scheduler.runDue()
    // A reload mid-path: the page shows what the server did while nobody was looking.
    await client.reload()
    await shows(client, 1, 'released')
    await milestone(client, 1).getByText('In escrow $0.00 · released $400.00').waitFor()
    await shows(freelancer, 1, 'released')
    t.pass('auto-released, shown to both')
  })

  await t.test('the next milestone is funded, submitted and approved', async (t) => {
    await client.getByRole('button', { name: 'Fund $600.00' }).click()
    await shows(client, 2, 'funded')
    await shows(freelancer, 2, 'funded')
    await milestone(freelancer, 2).getByRole('button', { name: 'Submit work' }).click()
    await freelancer.getByLabel('What you delivered').fill('Site live with the order form.')
    await freelancer.getByRole('button', { name: 'Submit for approval' }).click()
    await shows(client, 2, 'submitted')
    await milestone(client, 2).getByRole('button', { name: 'Approve and release' }).click()
    await milestone(client, 2).getByRole('button', { name: 'Release now' }).click()
    await shows(client, 2, 'released')
    t.equal(await client.getByTestId('invoices').getByRole('link').count(), 3, 'one invoice per release')
  })

  await t.test('the client ends the contract; the freelancer withdraws', async (t) => {
    await client.getByRole('button', { name: 'End the contract' }).click()
    await client.getByTestId('feedback-form').waitFor()
    await client.getByText('ended', { exact: true }).first().waitFor()

    await freelancer.goto('/wallet')
    await freelancer.getByTestId('balances').getByText('earnings $900.00').waitFor()
    const withdraw = freelancer.locator('form', { has: freelancer.getByRole('heading', { name: 'Withdraw earnings' }) })
    await withdraw.getByLabel(/^Amount/).fill('900')
    await withdraw.getByLabel(/Pay to/).fill('IBAN DE00 1234 5678')
    await withdraw.getByRole('button', { name: 'Request withdrawal' }).click()
    await freelancer.getByTestId('balances').getByText('withdrawing $900.00').waitFor()

    await operator.reload()
    await operator.getByRole('button', { name: 'Mark paid' }).click()
    await operator.getByText('No withdrawals waiting.').waitFor()
    // The freelancer's open wallet page hears of the payout (no reload).
    await freelancer.getByTestId('balances').getByText('withdrawing $900.00').waitFor({ state: 'detached' })
    t.ok(await freelancer.getByTestId('balances').getByText('earnings $0.00').isVisible(), 'paid out')
    await operator.getByRole('button', { name: 'Verify the ledger' }).click()
    await operator.getByText('Balanced', { exact: true }).waitFor()
    await snap(freelancer, suite, '05-withdrawn')
  })

  await t.test('both leave feedback; it is revealed to both', async (t) => {
    await client.getByLabel('Quality of work').selectOption('4')
    await client.getByLabel('Public comment').fill('Lovely site, on time.')
    await client.getByRole('button', { name: 'Leave feedback' }).click()
    await client.getByText('only you see this until the reveal').waitFor()

    await freelancer.goto(contractPath)
    await freelancer.getByText('The client has left theirs.').waitFor()
    t.equal(await freelancer.getByTestId('feedback-by-client').count(), 0, 'hidden before the reveal')
    await freelancer.getByLabel('Public comment').fill('Clear brief, quick payment.')
    await freelancer.getByRole('button', { name: 'Leave feedback' }).click()
    await freelancer.getByTestId('feedback-by-client').getByText('Lovely site, on time.').waitFor()
    await client.getByTestId('feedback-by-freelancer').getByText('Clear brief, quick payment.').waitFor()
    await snap(client, suite, '06-feedback-phone')
    t.pass('revealed to both')
  })
})
