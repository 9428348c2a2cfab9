// Ending a contract with money in escrow, in the browser: the contract page shows `ending`
// with each hold's rule and deadline in the reader's time zone; the freelancer refunds the
// unsubmitted work and the client releases the submitted work, and the contract is ended.
import t from 'tap'
import { plannedContract } from '../fixtures/planned-contract.js'
import { depositConfirmed, idem, makeOperator } from '../money.js'
import { launchBrowser, newUser, signIn, snap, startServer } from './harness.js'

t.setTimeout(150_000)

const suite = 'contract-ending'

t.test('ending with money held: rules and deadlines on the page, settled at once by both', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const client = await server.register('Rita Client')
  const freelancer = await server.register('Sam Freelancer')
  const { contractId, milestoneIds } = await plannedContract(server, { client, freelancer, amounts: [30_000, 20_000] })
  const [submitted, funded] = milestoneIds as [string, string]
  await depositConfirmed(server, client, await makeOperator(server), 50_000)
  for (const id of [submitted, funded])
    await server.call({ method: 'POST', url: `/api/v1/milestones/${id}/fund`, token: client.token, headers: idem() })
  await server.call({
    method: 'POST',
    url: `/api/v1/milestones/${submitted}/submit`,
    token: freelancer.token,
    payload: { message: 'First part done' },
  })

  const clientPage = (await newUser(browser, server.base)).page
  await signIn(clientPage, client, `/contracts/${contractId}`)
  await clientPage.getByRole('button', { name: 'End the contract' }).click()
  await clientPage.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
  const holds = clientPage.getByTestId('ending-holds')
  await holds.waitFor()
  await clientPage.getByText('ending', { exact: true }).first().waitFor()
  t.equal(await holds.getByTestId('hold-1').getAttribute('data-rule'), 'review_window')
  t.equal(await holds.getByTestId('hold-2').getAttribute('data-rule'), 'end_window')
  t.match(
    await holds.getByTestId('hold-1').textContent(),
    /released to the freelancer automatically on .*2\d{3}/,
    'the submitted work: its auto-release date',
  )
  t.match(
    await holds.getByTestId('hold-2').textContent(),
    /returns to your wallet on .* unless the freelancer opens a dispute/,
    'the unsubmitted work: the end window',
  )
  await snap(clientPage, suite, '01-client-ending')

  // The freelancer, in another time zone, sees the same holds and refunds the unsubmitted work at once.
  const freelancerPage = (await newUser(browser, server.base, { timezoneId: 'Asia/Tokyo' })).page
  await signIn(freelancerPage, freelancer, `/contracts/${contractId}`)
  const theirs = freelancerPage.getByTestId('ending-holds')
  await theirs.getByText(/unless you open a dispute before then/).waitFor()
  t.match(await theirs.getByTestId('hold-2').getByTestId('hold-deadline').textContent(), /deadline .*2\d{3}/)
  await snap(freelancerPage, suite, '02-freelancer-ending')
  await theirs.getByRole('button', { name: 'Refund $200.00 to the client now' }).click()
  await theirs.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
  await theirs.getByTestId('hold-2').waitFor({ state: 'detached' })

  // The client releases the submitted work: no hold is left and the contract is ended.
  await holds.getByTestId('hold-2').waitFor({ state: 'detached' })
  await holds.getByRole('button', { name: 'Release $300.00 now' }).click()
  await holds.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
  await clientPage.getByTestId('feedback-form').waitFor()
  t.equal(await clientPage.getByTestId('ending-holds').count(), 0, 'the ending panel is gone')
  await clientPage.getByText('ended', { exact: true }).first().waitFor()
  await snap(clientPage, suite, '03-client-ended')
  t.pass('ended once both holds were settled')
})
