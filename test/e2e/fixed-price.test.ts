// The fixed-price journey in two browsers (and an operator's): sign up, post, propose,
// message each other live, hire, accept (the offer's milestone binds at once), co-edit the
// terms at the same time, agree a second version, deposit, fund, submit, approve, and read
// the invoice.
import t from 'tap'
import type { Page } from 'playwright-core'
import { launchBrowser, newUser, signUp, snap, startServer } from './harness.js'

t.setTimeout(240_000)

const suite = 'fixed-price'

/** Waits until the page shows `text` somewhere inside `selector`; returns how long it took. */
async function seen(page: Page, selector: string, text: string, timeout: number): Promise<number> {
  const started = Date.now()
  await page.waitForFunction(
    ([sel, txt]) => Array.from(document.querySelectorAll(sel!)).some((el) => el.textContent?.includes(txt!)),
    [selector, text] as const,
    { timeout, polling: 'raf' },
  )
  return Date.now() - started
}

/** The scope text without the other party's cursor label. */
const scope = (page: Page) =>
  page.evaluate(() => {
    const copy = document.querySelector('[data-testid=scope-editor]')!.cloneNode(true) as HTMLElement
    copy.querySelectorAll('.cm-ySelectionCaret, .cm-ySelectionInfo').forEach((n) => n.remove())
    return (copy.textContent ?? '').replace(/\u2060/g, '')
  })

t.test('fixed price, from the job post to the invoice', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const opsEmail = `ops.${Date.now()}@example.com`
  await server.app.accounts.createOperator({
    email: opsEmail,
    password: 'correct horse battery staple',
    name: 'Olga Ops',
  })

  const client = (await newUser(browser, server.base)).page
  const freelancer = (await newUser(browser, server.base, { timezoneId: 'Asia/Tokyo' })).page
  const title = 'Bakery website with online orders'
  let contractUrl = ''

  await t.test('the client posts and the freelancer proposes', async (t) => {
    await signUp(client, 'Cleo')
    await client.goto('/jobs/new')
    await client.getByLabel('Title').fill(title)
    await client.getByLabel('Description').fill('Menu, opening hours and a simple order form.')
    await client.getByLabel(/Budget from/).fill('800')
    await client.getByLabel(/Budget up to/).fill('1500')
    await client.getByRole('button', { name: 'Publish job' }).click()
    await client.getByRole('heading', { name: title }).waitFor()

    await signUp(freelancer, 'Fred')
    await freelancer.goto('/jobs?q=bakery')
    await freelancer.getByRole('link', { name: title }).click()
    await freelancer.getByLabel('Cover letter').fill('I have built three bakery sites.')
    await freelancer.getByLabel(/Your bid/).fill('1200')
    await freelancer.getByLabel('Estimated days').fill('10')
    await freelancer.getByRole('button', { name: 'Send proposal' }).click()
    await freelancer.getByTestId('own-proposal').waitFor()
    t.pass('proposal sent')
  })

  await t.test('each sees the other’s message live', async (t) => {
    await client.goto('/me')
    await client.getByRole('link', { name: title }).first().click()
    await client.getByRole('link', { name: 'Open the workroom' }).click()
    await client.getByTestId('proposal-Fred').waitFor()
    await snap(client, suite, '01-workroom-proposals')
    await client.getByTestId('proposal-Fred').getByRole('link', { name: 'Message' }).click()
    await client.getByTestId('messages').waitFor()

    await freelancer.getByRole('button', { name: 'Message the client' }).click()
    await freelancer.getByTestId('messages').waitFor()
    await freelancer.getByLabel('Message', { exact: true }).fill('Hello Cleo, happy to start Monday.')
    await freelancer.getByLabel('Message', { exact: true }).press('Enter')
    const toClient = await seen(client, '[data-testid=messages]', 'happy to start Monday', 5000)
    t.ok(toClient < 5000, `the client saw Fred's message without reloading (${toClient} ms)`)

    await client.getByLabel('Message', { exact: true }).fill('Great, Fred. Sending an offer.')
    await client.getByRole('button', { name: 'Send' }).click()
    const toFreelancer = await seen(freelancer, '[data-testid=messages]', 'Sending an offer', 5000)
    t.ok(toFreelancer < 5000, `Fred saw Cleo's reply without reloading (${toFreelancer} ms)`)
    await snap(client, suite, '02-messages-client')
    await snap(freelancer, suite, '03-messages-freelancer')
  })

  await t.test('the client hires, the freelancer accepts', async (t) => {
    await client.getByRole('link', { name: /Proposals/ }).click()
    await client.getByRole('button', { name: 'Hire Fred' }).click()
    await client.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await client.getByTestId('offer').waitFor()
    contractUrl = new URL(client.url()).pathname
    t.match(contractUrl, /^\/contracts\//)
    await freelancer.goto(contractUrl)
    await freelancer.getByRole('button', { name: 'Accept the offer' }).click()
    await freelancer.getByText('Contract accepted').waitFor()
    await client.reload()
    await client.getByText('active', { exact: true }).first().waitFor()
    t.pass('the contract is active for both')
    // Accepting the offer bound terms version 1: its milestone is there, no terms round needed.
    await client.getByText('terms version 1 binding').waitFor()
    await client.getByTestId('milestone-1').getByText('$1,200.00').first().waitFor({ timeout: 10_000 })
    t.ok(
      await client.getByRole('button', { name: 'Fund $1,200.00' }).isVisible(),
      'the client can fund the offer’s milestone at once',
    )
  })

  await t.test('both type into the terms at once and see each other within 1 s', async (t) => {
    await client.getByTestId('scope-editor').waitFor()
    await freelancer.getByTestId('scope-editor').waitFor()
    // Both are connected: each shows the other as present.
    await seen(client, '[data-testid=presence]', 'Fred', 5000)
    await seen(freelancer, '[data-testid=presence]', 'Cleo', 5000)
    await client.getByTestId('scope-editor').click()
    await freelancer.getByTestId('scope-editor').click()
    await Promise.all([client.keyboard.press('End'), freelancer.keyboard.press('End')])
    await Promise.all([client.keyboard.type(' CLIENT-WANTS-GALLERY'), freelancer.keyboard.type(' FREELANCER-ADDS-SEO')])
    const [freelancerSawEdit, clientSawEdit, freelancerSawPresence, clientSawPresence] = await Promise.all([
      seen(freelancer, '[data-testid=scope-editor]', 'CLIENT-WANTS-GALLERY', 1000),
      seen(client, '[data-testid=scope-editor]', 'FREELANCER-ADDS-SEO', 1000),
      seen(freelancer, '[data-testid=presence]', 'Cleo editing the scope', 1000),
      seen(client, '[data-testid=presence]', 'Fred editing the scope', 1000),
    ])
    t.ok(
      freelancerSawEdit <= 1000 && clientSawEdit <= 1000,
      `each saw the other's edit (${clientSawEdit} / ${freelancerSawEdit} ms)`,
    )
    t.ok(freelancerSawPresence <= 1000 && clientSawPresence <= 1000, 'each saw where the other is editing')
    const clientText = await scope(client)
    const freelancerText = await scope(freelancer)
    t.match(clientText, /CLIENT-WANTS-GALLERY/)
    t.match(clientText, /FREELANCER-ADDS-SEO/)
    t.equal(clientText, freelancerText, 'both end with the same scope text')
    await snap(client, suite, '04-terms-client')
    await snap(freelancer, suite, '05-terms-freelancer')
  })

  await t.test('a later change: the freelancer proposes version 2, the client accepts it by hash', async (t) => {
    await freelancer.getByRole('button', { name: 'Propose this draft' }).click()
    await freelancer.getByTestId('version-2').waitFor()
    await client.getByRole('button', { name: 'Accept version 2' }).click()
    await client
      .getByTestId('version-2')
      .getByText(/Binding since/)
      .waitFor()
    await client
      .getByTestId('milestone-1')
      .waitFor({ timeout: 10_000 })
      .catch(async () => {
        await client.reload()
        await client.getByTestId('milestone-1').waitFor()
      })
    // The list can first show the offer's milestone and then the bound one: wait for the amount (fails on timeout).
    await client.getByTestId('milestone-1').getByText('$1,200.00').first().waitFor({ timeout: 10_000 })
    // Read the row's text (it waits for the row), not the visibility of one node: the list may re-render in between.
    t.match(
      await client.getByTestId('milestone-1').innerText(),
      /\$1,200\.00/,
      'the milestone of the bound terms is listed',
    )
    await snap(client, suite, '06-terms-bound')
  })

  await t.test('deposit, confirmed by an operator', async (t) => {
    await client.goto('/wallet')
    await client
      .getByLabel(/^Amount/)
      .first()
      .fill('1,200')
    await client.getByRole('button', { name: 'Request deposit' }).click()
    await client.getByTestId('deposits').getByText('pending').waitFor()
    await snap(client, suite, '07-wallet-pending')

    const ops = (await newUser(browser, server.base)).page
    await ops.goto('/signin')
    await ops.getByLabel('Email').fill(opsEmail)
    await ops.getByLabel('Password').fill('correct horse battery staple')
    await ops.getByRole('button', { name: 'Sign in' }).click()
    await ops.getByRole('link', { name: 'Operator' }).click()
    await ops.getByTestId('pending-deposits').waitFor()
    await snap(ops, suite, '08-operator')
    await ops.getByRole('button', { name: 'Confirm $1,200.00' }).click()
    await ops.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await ops.getByText('No deposits waiting.').waitFor()

    await client.reload()
    await client.getByTestId('balances').getByText('$1,200.00').first().waitFor()
    t.pass('the client has $1,200.00 available')
  })

  await t.test('fund, submit, approve; the invoice shows the amount', async (t) => {
    await client.goto(contractUrl)
    await client.getByRole('button', { name: 'Fund $1,200.00' }).click()
    await client.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await client.getByTestId('milestone-1').getByText('funded', { exact: true }).waitFor()

    await freelancer.reload()
    await freelancer.getByTestId('milestone-1').getByText('funded', { exact: true }).waitFor()
    await freelancer.getByRole('button', { name: 'Submit work' }).click()
    await freelancer.getByLabel('What you delivered').fill('Site live at the staging address; orders tested.')
    await freelancer.getByRole('button', { name: 'Submit for approval' }).click()
    await freelancer.getByTestId('milestone-1').getByText('submitted', { exact: true }).waitFor()

    // The client's page hears about it over the event stream.
    await client.getByTestId('milestone-1').getByText('submitted', { exact: true }).waitFor()
    await client.getByTestId('milestone-1').getByRole('button', { name: 'Approve and release' }).click()
    await client.getByTestId('milestone-1').getByRole('button', { name: 'Release now' }).click()
    await client.getByTestId('milestone-1').getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await client.getByTestId('milestone-1').getByText('released', { exact: true }).waitFor()
    await snap(client, suite, '09-released')

    await client.getByTestId('invoices').getByRole('link').first().click()
    await client.getByTestId('invoice').waitFor()
    t.equal(
      (await client.getByTestId('invoice-total').textContent())?.trim(),
      '$1,200.00',
      'the invoice total is the milestone amount',
    )
    await snap(client, suite, '10-invoice')
  })
})
