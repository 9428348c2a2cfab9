// The Invoices page on a phone: every invoice of the signed-in person, totals per currency,
// filters in the address, counterparty and contract shortcuts, and a CSV of the same filter.
import t from 'tap'
import { boundFixedContract } from '../fixtures/fixed-contract.js'
import { releaseMilestone } from '../fixtures/invoices.js'
import { depositConfirmed, makeOperator } from '../money.js'
import { launchBrowser, newUser, signIn, snap, startServer } from './harness.js'

t.setTimeout(240_000)

const suite = 'invoices'

t.test('a client finds, filters and exports their invoices on a phone', async (t) => {
  const server = await startServer(t)
  const operator = await makeOperator(server)
  const [alice, fay, finn] = [
    await server.register('Alice'),
    await server.register('Fay'),
    await server.register('Finn'),
  ]
  await depositConfirmed(server, alice, operator, 100_000)
  await depositConfirmed(server, alice, operator, 50_000, 'EUR')
  const website = await boundFixedContract(server, { client: alice, freelancer: fay, amounts: [10_000, 5_000] })
  const logo = await boundFixedContract(server, { client: alice, freelancer: finn, amounts: [7_000], currency: 'EUR' })
  for (const id of website.milestoneIds) await releaseMilestone(server, alice, fay, id)
  await releaseMilestone(server, alice, finn, logo.milestoneIds[0]!)

  const browser = await launchBrowser(t)
  const { page } = await newUser(browser, server.base, { phone: true })
  await signIn(page, alice, '/invoices')
  await page.getByRole('heading', { name: 'Invoices' }).waitFor()
  const rows = page.getByTestId('invoice-list').locator('li')
  await rows.nth(2).waitFor()
  t.equal(await rows.count(), 3, 'every invoice billed to her')
  t.match(await page.getByTestId('total-USD').textContent(), /2 invoices.*\$150\.00/)
  t.match(await page.getByTestId('total-EUR').textContent(), /1 invoice.*€70\.00/)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  t.ok(overflow <= 0, 'nothing runs off a phone screen')
  await snap(page, suite, 'phone-all')

  // Filter by currency through the form: the address, the list, the totals and the CSV follow.
  await page.locator('summary', { hasText: 'Filters' }).click()
  await page.getByLabel('Currency').selectOption('EUR')
  await page.getByRole('button', { name: 'Apply' }).click()
  await page.waitForURL((url) => url.searchParams.get('currency') === 'EUR')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=invoice-list] li').length === 1)
  t.equal(await page.getByTestId('total-USD').count(), 0, 'totals follow the filter')
  const href = await page.getByTestId('invoices-csv').getAttribute('href')
  t.match(href, /^\/api\/v1\/invoices\.csv\?currency=EUR$/)
  const csv = await page.request.get(href!)
  t.equal(csv.status(), 200)
  const lines = (await csv.text()).trim().split('\n')
  t.equal(lines.length, 2, 'the CSV holds the filtered list: a header and one invoice')
  t.match(lines[1], /INV-00000\d,invoice,paid,.*,EUR,70\.00,7000,/)
  await snap(page, suite, 'phone-eur')

  // A counterparty shortcut: only the invoices with Fay, removable again.
  await page.goto('/invoices')
  await rows.nth(2).waitFor()
  await page.getByRole('link', { name: 'Fay' }).first().click()
  await page.waitForURL((url) => url.searchParams.get('counterpartyId') === fay.id)
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=invoice-list] li').length === 2)
  t.match(await page.getByText(/With: Fay/).textContent(), /Fay/)
  await page.getByText(/With: Fay/).click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=invoice-list] li').length === 3)

  // A date range in her own days: nothing before today.
  await page.locator('summary', { hasText: 'Filters' }).click()
  await page.getByLabel('To (included)').fill('2020-01-31')
  await page.getByRole('button', { name: 'Apply' }).click()
  await page.getByText('No invoices match.').waitFor()
  t.pass('an empty range says so')

  // Fay sees the same invoices from the other side.
  const other = (await newUser(browser, server.base)).page
  await signIn(other, fay, '/invoices')
  await other.getByTestId('invoice-list').locator('li').nth(1).waitFor()
  t.equal(await other.getByTestId('invoice-list').locator('li').count(), 2, 'the freelancer sees what she issued')
  t.match(await other.getByTestId('invoice-list').textContent(), /Billed to Alice/)
  await snap(other, suite, 'desktop-freelancer')
})
