// The bell: a freelancer's unread badge goes up within a second of the client funding a
// milestone, with no reload; the list links to the contract, and marking all read clears it.
import t from 'tap'
import { plannedContract } from '../fixtures/planned-contract.js'
import { depositConfirmed, idem, makeOperator } from '../money.js'
import { launchBrowser, newUser, signIn, snap, startServer } from './harness.js'

t.setTimeout(150_000)

t.test('the bell badge rises within 1 s of a funded milestone, without a reload', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const client = await server.register('Rita')
  const freelancer = await server.register('Fred')
  const operator = await makeOperator(server)
  const { contractId, milestoneIds } = await plannedContract(server, { client, freelancer, amounts: [50_000] })
  await depositConfirmed(server, client, operator, 50_000)

  const { page } = await newUser(browser, server.base)
  await signIn(page, freelancer, '/me')
  const bell = page.getByRole('link', { name: /^Notifications/ })
  await bell.waitFor()
  const unreadOf = async () => {
    const label = (await bell.getAttribute('aria-label')) ?? ''
    return Number(/(\d+) unread/.exec(label)?.[1] ?? 0)
  }
  // Wait for the first count to load (the badge shows what the server says now).
  const before = (await server.call({ method: 'GET', url: '/api/v1/notifications', token: freelancer.token })).json()
    .unread as number
  await page.waitForFunction((n) => {
    const label = document.querySelector('a.bell')?.getAttribute('aria-label') ?? ''
    return Number(/(\d+) unread/.exec(label)?.[1] ?? 0) === n
  }, before)
  // The event stream is open before the client acts (the bell says so in data-stream).
  await page.locator('a.bell[data-stream="open"]').waitFor()

  const navigations: string[] = []
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url())
  })
  const sentAt = Date.now()
  const funded = await server.call({
    method: 'POST',
    url: `/api/v1/milestones/${milestoneIds[0]}/fund`,
    token: client.token,
    headers: idem(),
  })
  t.equal(funded.statusCode, 200, funded.body)
  // From the moment the milestone is funded (the answer: committed) to the badge; the
  // request's own time is the client's wait, reported beside it.
  const fundedAt = Date.now()
  await page.waitForFunction(
    (n) => {
      const label = document.querySelector('a.bell')?.getAttribute('aria-label') ?? ''
      return Number(/(\d+) unread/.exec(label)?.[1] ?? 0) > n
    },
    before,
    { timeout: 5000 },
  )
  const took = Date.now() - fundedAt
  t.ok(
    took < 1000,
    `the badge rose ${took} ms after the milestone was funded (under 1 s; ${Date.now() - sentAt} ms after the request was sent)`,
  )
  t.equal(await unreadOf(), before + 1)
  t.same(navigations, [], 'no reload')
  await snap(page, 'notifications', 'bell')

  await bell.click()
  await page.getByRole('heading', { name: 'Notifications' }).waitFor()
  const item = page.getByRole('list', { name: 'Notifications' }).getByRole('link').first()
  t.match(await item.textContent(), /funded/i)
  t.equal(await item.getAttribute('href'), `/contracts/${contractId}`)
  await snap(page, 'notifications', 'list')
  await page.getByRole('button', { name: 'Mark all read' }).click()
  await page.getByText('All read').waitFor()
  await page.waitForFunction(() => document.querySelector('a.bell')?.getAttribute('aria-label') === 'Notifications')
  t.equal(
    (await server.call({ method: 'GET', url: '/api/v1/notifications', token: freelancer.token })).json().unread,
    0,
    'marked read on the server too',
  )
})
