// Errors people understand: a refused form names each invalid field in words beside it (all of
// them, not the first), without internal names, and goes through once they are corrected.
import t from 'tap'
import { act, hire, postJob, propose } from '../marketplace.js'
import { launchBrowser, newUser, signIn, snap, startServer } from './harness.js'

t.setTimeout(180_000)

t.test('the job form shows two field errors in words beside their fields, then posts the job', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const client = await server.register('Hana Client')
  const { page } = await newUser(browser, server.base)
  await signIn(page, client, '/jobs/new')

  await page.getByLabel('Title').fill('   ')
  await page.getByLabel('Description').fill('   ')
  await page.getByRole('button', { name: 'Publish job' }).click()

  await page.locator('#title-error').getByText('Must not be empty').waitFor()
  await page.locator('#description-error').getByText('Must not be blank').waitFor()
  t.pass('each field says what is wrong with it, beside it')
  await page.getByText('Correct the 2 fields marked above.').waitFor()
  t.equal(await page.getByLabel('Title').getAttribute('aria-invalid'), 'true', 'the title is marked invalid')
  const text = (await page.locator('main').textContent()) ?? ''
  t.notMatch(text, /body\.|request\.invalid|must NOT|budgetMin/, 'no internal names or validator wording')
  await snap(page, 'form-errors', '01-two-fields')

  await page.getByLabel('Title').fill('Build a landing page')
  await page.getByLabel('Description').fill('One page, responsive, with a contact form.')
  await page.getByLabel('Budget from').fill('500')
  await page.getByLabel('Budget up to').fill('800')
  await page.getByRole('button', { name: 'Publish job' }).click()
  await page.getByRole('heading', { name: 'Build a landing page' }).waitFor()
  t.equal(await page.locator('.field-error').count(), 0, 'no error is left once it went through')
})

t.test('a refused terms version names the field in words and the amounts in dollars', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const client = await server.register('Cleo Client')
  const freelancer = await server.register('Fred Lance')
  const job = await postJob(server.call, client.token)
  const proposal = await propose(server.call, freelancer.token, job.id)
  const contract = await hire(server.call, client.token, proposal.id)
  await act(server.call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)
  const { page } = await newUser(browser, server.base)
  await signIn(page, client, `/contracts/${contract.id}`)
  await page.getByTestId('presence').getByText('Live').waitFor()

  // The offer's one milestone holds the whole $800.00; a second one starts at nothing.
  await page.getByRole('button', { name: 'Add a milestone' }).click()
  await page.locator('#ms-1-amount').waitFor()
  await page.getByRole('button', { name: 'Propose this draft' }).click()
  const error = page.getByTestId('propose-error')
  await error.getByText('Milestone 2 amount must be an amount above zero').waitFor()
  t.pass('the field is named as the page names it')

  await page.locator('#ms-1-amount').fill('100')
  await page.getByRole('button', { name: 'Propose this draft' }).click()
  await error.getByText('Milestones must add up to the price $800.00 (they add up to $900.00)').waitFor()
  t.pass('the amounts are in dollars')
  t.notMatch(await error.textContent(), /milestones\.|minor units|80000|90000/, 'no path, no cents')
  await snap(page, 'form-errors', '02-terms-version')
})
