// Every page, for each role (anonymous, client, freelancer, operator), at a phone's 390 px and a
// desktop's 1,280 px: no sideways scrolling, a title of its own, and no serious or critical
// accessibility violation found by axe-core. The data is made through the API (an active
// hourly contract with a message and a deposit); one browser visits the pages in sequence and
// resizes its viewport for the second width.
import { createRequire } from 'node:module'
import AxeBuilder from '@axe-core/playwright'
import t from 'tap'
import type { Page } from 'playwright-core'
import { depositConfirmed, makeOperator } from '../money.js'
import { launchBrowser, newUser, signIn, snap, startServer } from './harness.js'
import { hourlyContract } from './tracker-helpers.js'

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

t.setTimeout(180_000)

const widths = [390, 1280]
let axeMs = 0

interface Finding {
  path: string
  width: number
  what: string
}

/**
 * Opens `path`, waits for its title and content, then checks both widths; returns the title.
 * `load`: a full load of the address (a deep link); `link`: the app's own navigation, as a
 * click on a link does (the app and axe-core are not loaded and parsed again: ~40% of this
 * test's time went to full loads).
 */
async function visit(page: Page, path: string, findings: Finding[], how: 'load' | 'link'): Promise<string> {
  // A full load starts from index.html's plain "Workroom", and a link is followed from it
  // here; the page then names itself.
  if (how === 'load') await page.goto(path)
  else
    await page.evaluate((to) => {
      document.title = 'Workroom'
      history.pushState(null, '', to)
      dispatchEvent(new PopStateEvent('popstate'))
    }, path)
  try {
    await page.waitForFunction(() => document.title !== 'Workroom')
    await page.locator('h1').first().waitFor()
    await page.locator('.state--loading').first().waitFor({ state: 'detached' })
  } catch (err) {
    await snap(page, 'layout', `stuck-${path.replace(/\W+/g, '-')}`)
    throw err
  }
  for (const width of widths) {
    await page.setViewportSize({ width, height: width < 600 ? 844 : 860 })
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }))
    if (scrollWidth > innerWidth) findings.push({ path, width, what: `scrolls sideways: ${scrollWidth}px` })
    const a = Date.now()
    // axe-core is already in the page (an init script): a no-op source keeps AxeBuilder from
    // evaluating its 500 KB again on every run (42 s of the run instead of 8 s). Legacy mode runs
    // axe in the page itself; the default opens a new page per run to finish it.
    const { violations } = await new AxeBuilder({ page, axeSource: ';' })
      .setLegacyMode()
      .options({ resultTypes: ['violations'] })
      .analyze()
    axeMs += Date.now() - a
    for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
      findings.push({
        path,
        width,
        what: `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
      })
  }
  return page.title()
}

t.test('every page fits a phone and a desktop, has its own title and passes axe-core', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const { contractId, client, freelancer } = await hourlyContract(server)
  const operator = await makeOperator(server)
  await depositConfirmed(server, client, operator, 50_000)
  const contract = (
    await server.call({ method: 'GET', url: `/api/v1/contracts/${contractId}`, token: client.token })
  ).json() as { workroomId: string; jobId: string; threadId: string }
  await server.call({
    method: 'POST',
    url: `/api/v1/threads/${contract.threadId}/messages`,
    token: freelancer.token,
    payload: { body: 'A long message that should wrap within the conversation at any width. '.repeat(4) },
  })
  const room = `/workrooms/${contract.workroomId}`
  const deal = `/contracts/${contractId}`
  const shared = [
    '/jobs',
    '/me',
    `/jobs/${contract.jobId}`,
    '/invoices',
    '/wallet',
    '/settings',
    '/settings/security',
    '/settings/account',
    '/notifications',
    '/notifications/settings',
    '/no/such/page',
  ]
  const roles: Array<{ role: string; user?: { email: string; password: string }; paths: string[] }> = [
    {
      role: 'anonymous',
      paths: [
        '/jobs',
        '/signin',
        '/signup',
        `/jobs/${contract.jobId}`,
        '/unsubscribe?token=x',
        '/forgot-password',
        '/reset-password?token=x',
        '/verify-email?token=x',
      ],
    },
    {
      role: 'client',
      user: client,
      paths: [
        ...shared,
        '/jobs/new',
        `/jobs/${contract.jobId}/edit`,
        room,
        `${room}/messages?thread=${contract.threadId}`,
        `${room}/files`,
        `${room}/activity`,
        deal,
        `${deal}/workview`,
        `${deal}/timesheets`,
        `/users/${freelancer.id}`,
      ],
    },
    {
      role: 'freelancer',
      user: freelancer,
      paths: [
        ...shared,
        `${room}/messages`,
        `${room}/files`,
        `${room}/activity`,
        deal,
        `${deal}/tracker`,
        `${deal}/timesheets`,
        `/users/${client.id}`,
      ],
    },
    {
      role: 'operator',
      user: operator,
      paths: ['/operator', '/operator/settings', '/operator/users', '/jobs', '/settings'],
    },
  ]

  const started = Date.now()
  let pages = 0
  for (const { role, user, paths } of roles) {
    const { context, page } = await newUser(browser, server.base)
    await context.addInitScript({ path: axeSource })
    if (user) await signIn(page, user, '/me')
    const findings: Finding[] = []
    const titles = new Map<string, string>()
    for (const path of paths) {
      // Each anonymous page as a deep link; a signed-in person's pages as they move between
      // them, through the app's own navigation (sign-in was the full load).
      const title = await visit(page, path, findings, user ? 'link' : 'load')
      titles.set(path, title)
      pages++
    }
    t.same(findings, [], `${role}: ${paths.length} pages fit 390 px and 1,280 px with no serious axe violation`)
    const seen = new Map<string, string>()
    for (const [path, title] of titles) {
      const other = seen.get(title)
      t.notOk(other, `${role}: ${path} is titled "${title}"${other ? `, as ${other} is` : ''}`)
      seen.set(title, path)
    }
    await context.close()
  }
  t.comment(`${pages} pages at 2 widths in ${((Date.now() - started) / 1000).toFixed(1)} s, axe ${axeMs} ms`)
})
