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
import {
  bothLeaveFeedback,
  depositThroughOperator,
  hireFrom,
  menu,
  postJobOnPage,
  proposalInWorkroom,
  proposeOnPage,
  withdrawThroughOperator,
} from './golden-steps.js'
import { launchBrowser, newUser, signIn, signUp, snap, startServer } from './harness.js'

t.setTimeout(300_000)

const suite = 'golden-fixed-price'
const password = 'correct horse battery staple'

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
    await postJobOnPage(client, {
      title,
      description: 'Menu, opening hours and a simple order form.',
      arrangement: 'fixed',
      from: '800',
      upTo: '1500',
    })

    await signUp(freelancer, 'Fred')
    await proposeOnPage(freelancer, {
      search: 'bakery',
      title,
      coverLetter: 'Three steps, each one reviewed by you.',
      amount: '1200',
      days: '30',
      plan: [
        ['Design', '400'],
        ['Build', '600'],
        ['Launch', '200'],
      ],
    })
    await snap(freelancer, suite, '01-proposal-sent')
    t.pass('proposal sent with a three-milestone plan, no due dates')
  })

  let contractPath = ''
  await t.test('the client hires, the freelancer accepts, the plan binds', async (t) => {
    await menu(client, 'My work')
    const card = await proposalInWorkroom(client, { title, freelancer: 'Fred' })
    await card.getByRole('button', { name: 'Read cover letter' }).click()
    await card.getByRole('cell', { name: 'Launch' }).waitFor()
    await snap(client, suite, '02-proposal-phone')
    contractPath = await hireFrom(client, card, 'Fred')

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
    await signIn(operator, ops, '/operator')
    await depositThroughOperator(client, operator, { typed: '1,000', shown: '$1,000.00' })
    t.pass('the client’s open wallet page shows the deposit once confirmed')
  })

  await t.test('fund, submit, changes, resubmit, release part', async (t) => {
    await client.goto(contractPath)
    await client.getByRole('button', { name: 'Fund $400.00' }).click()
    await client.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
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
    await milestone(client, 1).getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
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
    await client.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await shows(client, 2, 'funded')
    await shows(freelancer, 2, 'funded')
    await milestone(freelancer, 2).getByRole('button', { name: 'Submit work' }).click()
    await freelancer.getByLabel('What you delivered').fill('Site live with the order form.')
    await freelancer.getByRole('button', { name: 'Submit for approval' }).click()
    await shows(client, 2, 'submitted')
    await milestone(client, 2).getByRole('button', { name: 'Approve and release' }).click()
    await milestone(client, 2).getByRole('button', { name: 'Release now' }).click()
    await milestone(client, 2).getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await shows(client, 2, 'released')
    // The invoice list refreshes from the event the release sends: wait for its third link.
    await client.getByTestId('invoices').getByRole('link').nth(2).waitFor()
    t.equal(await client.getByTestId('invoices').getByRole('link').count(), 3, 'one invoice per release')
  })

  await t.test('the client ends the contract; the freelancer withdraws', async (t) => {
    await client.getByRole('button', { name: 'End the contract' }).click()
    await client.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await client.getByText('ended', { exact: true }).first().waitFor()

    t.equal(
      await withdrawThroughOperator(freelancer, operator),
      '$900.00',
      '$1,000.00 released less the 10 % fee, paid out',
    )
    await snap(freelancer, suite, '05-withdrawn')
  })

  await t.test('both leave feedback; it is revealed to both', async (t) => {
    const { hiddenBeforeReveal } = await bothLeaveFeedback(client, freelancer, {
      contractPath,
      byClient: 'Lovely site, on time.',
      byFreelancer: 'Clear brief, quick payment.',
    })
    t.ok(hiddenBeforeReveal, 'the client’s feedback is hidden from the freelancer before the reveal')
    await snap(client, suite, '06-feedback-phone')
  })
})
