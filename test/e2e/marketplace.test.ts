// The first pages in a real browser: sign up and in, validation beside the field, post and
// publish a job, find it with search and filters, propose, see it under "My work" — at
// desktop and phone width, with the keyboard.
import t from 'tap'
import { launchBrowser, newUser, signUp, snap, startServer } from './harness.js'

t.setTimeout(180_000)

t.test('marketplace pages', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const suite = 'marketplace'

  const client = await newUser(browser, server.base)
  const freelancer = await newUser(browser, server.base, { phone: true, timezoneId: 'America/New_York' })

  await t.test('sign up shows the server’s validation beside the field', async (t) => {
    const page = client.page
    await page.goto('/signup')
    await page.getByLabel('Your name').fill('Cleo Client')
    await page.getByLabel('Email').fill('cleo@example.com')
    await page.getByLabel('Password').fill('short')
    await page.getByRole('button', { name: 'Create account' }).click()
    const error = page.locator('#password-error')
    await error.waitFor()
    t.match(
      await error.textContent(),
      /at least \d+ characters/i,
      'the password error sits under the password field, in words',
    )
    t.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true')
    await snap(page, suite, '01-signup-error')
  })

  let clientEmail = ''
  await t.test('client signs up and posts a job', async (t) => {
    const page = client.page
    clientEmail = await signUp(page, 'Cleo')
    await page.getByRole('link', { name: 'Post a job' }).click()
    await page.getByLabel('Title').fill('Build a landing page for a bakery')
    await page.getByLabel('Description').fill('A fast, accessible landing page with a menu and opening hours.')
    await page.getByLabel('Skills').fill('typescript, css')
    await page.getByLabel(/Budget from/).fill('1000')
    await page.getByLabel(/Budget up to/).fill('500')
    await page.getByRole('button', { name: 'Publish job' }).click()
    const rangeError = page.locator('#max-error')
    await rangeError.waitFor()
    t.match(await rangeError.textContent(), /minimum|maximum/i, 'an inverted budget is flagged beside the maximum')
    await snap(page, suite, '02-post-job-error')
    await page.getByLabel(/Budget up to/).fill('1,500.50')
    await page.getByRole('button', { name: 'Publish job' }).click()
    await page.getByRole('heading', { name: 'Build a landing page for a bakery' }).waitFor()
    t.ok(await page.getByText('$1,000.00 – $1,500.50').isVisible(), 'the budget reads as money')
    t.ok(await page.getByText('open', { exact: true }).isVisible(), 'published: open')
    await snap(page, suite, '03-job-owner')
  })

  await t.test('a freelancer finds it with search and filters at phone width', async (t) => {
    const page = freelancer.page
    await signUp(page, 'Fred')
    await page.goto('/jobs')
    await page.getByLabel('Search jobs').fill('bakery')
    await page.getByLabel('Search jobs').press('Enter')
    await page.getByRole('link', { name: 'Build a landing page for a bakery' }).waitFor()
    t.match(page.url(), /q=bakery/, 'the search is in the address')
    await page.getByText('Filters').click()
    await page.getByLabel('Arrangement').selectOption('hourly')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByText(/No open jobs match/).waitFor()
    t.pass('an hourly filter hides the fixed-price job')
    await page.getByLabel('Arrangement').selectOption('fixed')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('link', { name: 'Build a landing page for a bakery' }).waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    t.ok(width <= 390, `no sideways scrolling at phone width (${width}px)`)
    await snap(page, suite, '04-search-phone')
  })

  await t.test('the freelancer proposes, using only the keyboard', async (t) => {
    const page = freelancer.page
    await page.getByRole('link', { name: 'Build a landing page for a bakery' }).click()
    await page.getByLabel('Cover letter').waitFor()
    await page.getByLabel('Cover letter').focus()
    await page.keyboard.type('I build fast bakery sites.')
    await page.keyboard.press('Tab')
    await page.keyboard.type('1200')
    await page.keyboard.press('Tab')
    await page.keyboard.type('10')
    await page.getByLabel('Estimated days').press('Enter')
    await page.getByTestId('own-proposal').waitFor()
    t.ok(await page.getByTestId('own-proposal').getByText('$1,200.00').isVisible(), 'the proposal shows the bid')
    await snap(page, suite, '05-proposal-sent')
    await page.goto('/me')
    await page.getByTestId('my-proposals').getByRole('link', { name: 'Build a landing page for a bakery' }).waitFor()
    t.ok(await page.getByTestId('my-proposals').getByText('submitted').isVisible(), 'listed under my proposals')
    await snap(page, suite, '06-my-work')
  })

  await t.test('sign out, then sign in again through ?next=', async (t) => {
    const page = client.page
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto('/me')
    await page.waitForURL(/\/signin\?next=/)
    await page.getByLabel('Email').fill(clientEmail)
    await page.getByLabel('Password').fill('wrong password here')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('#password-error').waitFor()
    t.pass('a wrong password is flagged at the password field')
    await page.getByLabel('Password').fill('correct horse battery staple')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'My work' }).waitFor()
    // The heading shows before the list has loaded: wait for the job itself.
    await page.getByText('Build a landing page for a bakery').first().waitFor()
    t.pass('back at My work with the job')
  })

  await t.test('an unknown address shows the app’s not-found page; API paths keep JSON', async (t) => {
    const page = client.page
    await page.goto('/no/such/page')
    await page.getByRole('heading', { name: 'Page not found' }).waitFor()
    const api = await page.request.get('/api/v1/no-such-route', { headers: { accept: 'text/html' } })
    t.equal(api.status(), 404)
    t.match(await api.json(), { code: 'not_found' })
  })
})
