// Pages that update themselves from the event stream: the client's contract page when the
// freelancer accepts the terms, and the freelancer's wallet when the client releases money.
import t from 'tap'
import { bindTerms, payMilestone, startedContract } from '../fixtures/ended-contract.js'
import { makeOperator } from '../money.js'
import { eventStreamOpen, launchBrowser, newUser, signIn, snap, startServer } from './harness.js'

t.setTimeout(120_000)

const noReload = (page: import('playwright-core').Page) =>
  page.evaluate(() => Object.assign(window, { stillTheSamePage: true }))
const sameDocument = (page: import('playwright-core').Page) =>
  page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage === true)

t.test('the contract page and the wallet update without a reload when the other party acts', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const client = await server.register('Hana Client')
  const freelancer = await server.register('Ivo Freelancer')
  const operator = await makeOperator(server)
  const { contractId } = await startedContract(server, { client, freelancer, bidAmount: 50_000 })

  const clientSide = await newUser(browser, server.base)
  await signIn(clientSide.page, client, `/contracts/${contractId}`)
  // The accepted offer bound its terms as version 1 (docs/contract-lifecycle.md).
  await clientSide.page.getByText('terms version 1 binding').waitFor()
  await noReload(clientSide.page)
  await eventStreamOpen(clientSide.page)

  // The client proposes the terms again and the freelancer accepts them (elsewhere, through
  // the API): version 2 binds. (This test once waited for version 1 after that, which passed
  // only while the page had not yet caught up.)
  const [milestoneId] = await bindTerms(server, contractId, client, freelancer)
  await clientSide.page.getByText('terms version 2 binding').waitFor()
  t.ok(await sameDocument(clientSide.page), 'the client’s contract page showed the accepted terms without a reload')
  await snap(clientSide.page, 'pages-live', '01-contract-terms-bound')

  const freelancerSide = await newUser(browser, server.base)
  await signIn(freelancerSide.page, freelancer, '/wallet')
  await freelancerSide.page.getByRole('heading', { name: 'Wallet' }).waitFor()
  await noReload(freelancerSide.page)
  await eventStreamOpen(freelancerSide.page)
  await payMilestone(server, { milestoneId: milestoneId!, client, freelancer, operator, amount: 50_000 })
  const wallet = (await server.call({ method: 'GET', url: '/api/v1/wallet', token: freelancer.token })).json()
  const earnings = Number(wallet.balances.find((b: { currency: string }) => b.currency === 'USD').earnings)
  t.ok(earnings > 0, 'the release paid the freelancer')
  const shown = `$${(earnings / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`
  await freelancerSide.page.getByText(shown).first().waitFor()
  t.ok(await sameDocument(freelancerSide.page), `the wallet showed ${shown} of earnings without a reload`)
  await snap(freelancerSide.page, 'pages-live', '02-wallet-after-release')
})
