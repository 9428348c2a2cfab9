// Money buttons that are safe, in the browser: hire, fund, release (part and all), end, refund
// and withdraw each open a dialog that states the amount and what happens; Cancel (or Escape)
// changes nothing, as the API shows, and Confirm does it. A partial release refused for asking
// more than is held succeeds once corrected, without reloading the page (a fresh
// Idempotency-Key for the new amount).
import t, { type Test } from 'tap'
import type { Locator, Page } from 'playwright-core'
import type { TestUser } from '../helper.js'
import { act, postJob, propose } from '../marketplace.js'
import { depositConfirmed, makeOperator } from '../money.js'
import { launchBrowser, newUser, signIn, snap, startServer, type E2EServer } from './harness.js'

t.setTimeout(150_000)

const suite = 'money-confirm'

/** Presses a money button inside `scope`; returns the dialog after checking it says `says`. */
async function ask(t: Test, scope: Page | Locator, button: string, says: RegExp): Promise<Locator> {
  await scope.getByRole('button', { name: button, exact: true }).click()
  const dialog = scope.getByRole('dialog')
  await dialog.waitFor()
  t.match(await dialog.textContent(), says, `“${button}” asks first: ${says.source}`)
  return dialog
}

/** Cancels the open dialog (with Escape when `escape`) and checks focus went back to the button. */
async function cancel(t: Test, page: Page, dialog: Locator, button: string, escape = false) {
  if (escape) await page.keyboard.press('Escape')
  else await dialog.getByRole('button', { name: 'Cancel' }).click()
  await dialog.waitFor({ state: 'detached' })
  t.equal(
    await page.evaluate(() => document.activeElement?.textContent?.trim()),
    button,
    `focus is back on “${button}”`,
  )
}

const get = async (server: E2EServer, user: TestUser, url: string) =>
  (await server.call({ method: 'GET', url, token: user.token })).json()

t.test('each money button asks with the amount; Cancel changes nothing, Confirm does it', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const client = await server.register('Rita')
  const freelancer = await server.register('Fred')
  const job = await postJob(server.call, client.token)
  const dueDate = new Date(server.clock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10)
  const proposal = await propose(server.call, freelancer.token, job.id, {
    coverLetter: 'In two steps.',
    bidAmount: 70_000,
    estimatedDays: 30,
    milestones: [
      { title: 'Design', amount: 50_000, dueDate },
      { title: 'Build', amount: 20_000, dueDate },
    ],
  })
  const page = (await newUser(browser, server.base)).page
  await signIn(page, client, `/jobs/${job.id}`)
  await page.getByRole('link', { name: 'Open the workroom' }).click()
  const card = page.getByTestId('proposal-Fred')

  // Hire: Cancel, then Escape, leave the proposal as it was; Confirm sends the offer.
  let dialog = await ask(t, card, 'Hire Fred', /Hire Fred for \$700\.00\?/)
  await snap(page, suite, '01-hire-dialog')
  await cancel(t, page, dialog, 'Hire Fred')
  dialog = await ask(t, card, 'Hire Fred', /Hire Fred for \$700\.00\?/)
  await cancel(t, page, dialog, 'Hire Fred', true)
  t.equal((await get(server, client, `/api/v1/proposals/${proposal.id}`)).contractId ?? null, null, 'no offer yet')
  await (await ask(t, card, 'Hire Fred', /Hire Fred/)).getByRole('button', { name: 'Confirm' }).click()
  await page.getByTestId('offer').waitFor()
  const contractId = new URL(page.url()).pathname.split('/').pop()!
  await act(server.call, freelancer.token, `/api/v1/contracts/${contractId}/accept`)
  await depositConfirmed(server, client, await makeOperator(server), 70_000)
  const milestones = async () =>
    (await get(server, client, `/api/v1/contracts/${contractId}/milestones`)).items as Array<{
      id: string
      state: string
      held: number
      released: number
    }>

  // Fund: Cancel leaves it pending; Confirm moves the money into escrow.
  await page.reload()
  const first = page.getByTestId('milestone-1')
  dialog = await ask(t, first, 'Fund $500.00', /Fund “Design” with \$500\.00\? It moves from your wallet into escrow/)
  await cancel(t, page, dialog, 'Fund $500.00')
  t.equal((await milestones())[0]!.state, 'pending', 'Cancel: the milestone is not funded')
  await (await ask(t, first, 'Fund $500.00', /\$500\.00/)).getByRole('button', { name: 'Confirm' }).click()
  await first.getByText('funded', { exact: true }).waitFor()
  const second = page.getByTestId('milestone-2')
  await (await ask(t, second, 'Fund $200.00', /\$200\.00/)).getByRole('button', { name: 'Confirm' }).click()
  await second.getByText('funded', { exact: true }).waitFor()
  const [design] = await milestones()
  await server.call({
    method: 'POST',
    url: `/api/v1/milestones/${design!.id}/submit`,
    token: freelancer.token,
    payload: { message: 'Designs attached' },
  })

  // A partial release: more than is held is refused; the corrected amount then goes through.
  await first.getByText('submitted', { exact: true }).waitFor()
  await first.getByRole('button', { name: 'Approve and release' }).click()
  await first.getByLabel('Release').fill('600')
  await (
    await ask(t, first, 'Release now', /Release \$600\.00 to the freelancer\? This cannot be undone\./)
  )
    .getByRole('button', { name: 'Confirm' })
    .click()
  await first.getByText('Must be at most the $500.00 left in escrow').first().waitFor()
  await first.getByLabel('Release').fill('250')
  dialog = await ask(t, first, 'Release now', /Release \$250\.00 to the freelancer\? This cannot be undone\./)
  t.match(await dialog.textContent(), /The rest of the \$500\.00 held stays in escrow/)
  await snap(page, suite, '02-partial-release-dialog')
  await cancel(t, page, dialog, 'Release now')
  t.equal((await milestones())[0]!.released, 0, 'Cancel: nothing released')
  await (await ask(t, first, 'Release now', /\$250\.00/)).getByRole('button', { name: 'Confirm' }).click()
  await page.getByText('Released $250.00').first().waitFor()
  const afterRelease = (await milestones())[0]!
  t.equal(afterRelease.released, 25_000, 'the corrected partial release went through without a reload')
  t.equal(afterRelease.held, 25_000, 'the rest stays in escrow')

  // End: the dialog says what is still in escrow ($250.00 + $200.00).
  dialog = await ask(t, page, 'End the contract', /Work stops\. \$450\.00 is still in escrow/)
  t.match(await dialog.getByRole('heading').textContent(), 'End the contract with $450.00 in escrow?')
  await cancel(t, page, dialog, 'End the contract')
  t.equal((await get(server, client, `/api/v1/contracts/${contractId}`)).state, 'active', 'Cancel: still active')
  await (await ask(t, page, 'End the contract', /\$450\.00/)).getByRole('button', { name: 'Confirm' }).click()
  const holds = page.getByTestId('ending-holds')
  await holds.waitFor()

  // In the ending panel: the client's release and the freelancer's refund ask too.
  dialog = await ask(t, holds, 'Release $250.00 now', /Release \$250\.00 to the freelancer\? This cannot be undone\./)
  await cancel(t, page, dialog, 'Release $250.00 now')
  const freelancerPage = (await newUser(browser, server.base)).page
  await signIn(freelancerPage, freelancer, `/contracts/${contractId}`)
  const theirs = freelancerPage.getByTestId('ending-holds')
  const refund = 'Refund $200.00 to the client now'
  dialog = await ask(t, theirs, refund, /Refund \$200\.00 to the client\? It returns to the client’s wallet/)
  await cancel(t, freelancerPage, dialog, refund)
  const held = async () => (await milestones()).map((m) => m.held)
  t.same(await held(), [25_000, 20_000], 'Cancel: both holds are still in escrow')
  await (await ask(t, theirs, refund, /\$200\.00/)).getByRole('button', { name: 'Confirm' }).click()
  await theirs.getByTestId('hold-2').waitFor({ state: 'detached' })
  t.same(await held(), [25_000, 0], 'Confirm: the refund went back')

  // Withdraw: Cancel asks for nothing; Confirm asks for the withdrawal.
  await freelancerPage.goto('/wallet')
  const form = freelancerPage.locator('form', {
    has: freelancerPage.getByRole('heading', { name: 'Withdraw earnings' }),
  })
  await form.getByLabel(/^Amount/).fill('100')
  await form.getByLabel(/^Pay to/).fill('IBAN DE00 1234')
  dialog = await ask(t, form, 'Request withdrawal', /Withdraw \$100\.00 to IBAN DE00 1234\?/)
  await snap(freelancerPage, suite, '03-withdraw-dialog')
  await cancel(t, freelancerPage, dialog, 'Request withdrawal')
  const withdrawals = async () => (await get(server, freelancer, '/api/v1/wallet/withdrawals')).items.length
  t.equal(await withdrawals(), 0, 'Cancel: no withdrawal')
  await (await ask(t, form, 'Request withdrawal', /\$100\.00/)).getByRole('button', { name: 'Confirm' }).click()
  await freelancerPage.getByText('Withdrawal of $100.00 requested').waitFor()
  t.equal(await withdrawals(), 1, 'Confirm: one withdrawal asked for')
})
