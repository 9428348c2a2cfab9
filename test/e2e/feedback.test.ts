// Feedback in the browser: a paid contract ends, both parties leave double-blind feedback
// through the form, both are revealed, the freelancer replies, and the public profile shows
// the reputation with the formula's inputs.
import t from 'tap'
import { bindTerms, payMilestone, startedContract } from '../fixtures/ended-contract.js'
import { makeOperator } from '../money.js'
import { launchBrowser, newUser, signIn, snap, startServer } from './harness.js'

t.setTimeout(120_000)

const suite = 'feedback'

t.test('feedback: end, rate each other, reveal, reply, reputation on the profile', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const client = await server.register('Petra Client')
  const freelancer = await server.register('Quinn Freelancer')
  const { contractId } = await startedContract(server, { client, freelancer, bidAmount: 80_000 })
  const [milestoneId] = await bindTerms(server, contractId, client, freelancer)
  await payMilestone(server, {
    milestoneId: milestoneId!,
    client,
    freelancer,
    operator: await makeOperator(server),
    amount: 80_000,
  })

  const clientPage = (await newUser(browser, server.base)).page
  const freelancerPage = (await newUser(browser, server.base)).page
  await signIn(clientPage, client, `/contracts/${contractId}`)
  await clientPage.getByRole('button', { name: 'End the contract' }).click()
  await clientPage.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
  await clientPage.getByTestId('feedback-form').waitFor()

  // The client rates first: only they see it until the freelancer has rated too.
  await clientPage.getByLabel('Quality of work').selectOption('4')
  await clientPage.getByLabel('Public comment').fill('Clean code, delivered on time.')
  await clientPage.getByRole('button', { name: 'Leave feedback' }).click()
  await clientPage.getByText('only you see this until the reveal').waitFor()
  await snap(clientPage, suite, '01-client-left-feedback')

  await signIn(freelancerPage, freelancer, `/contracts/${contractId}`)
  await freelancerPage.getByText('The client has left theirs.').waitFor()
  t.equal(
    await freelancerPage.getByTestId('feedback-by-client').count(),
    0,
    'the client’s feedback stays hidden from the freelancer before the reveal',
  )
  await freelancerPage.getByLabel('Payment promptness').selectOption('5')
  await freelancerPage.getByLabel('Public comment').fill('Clear brief and quick payment.')
  await freelancerPage.getByRole('button', { name: 'Leave feedback' }).click()

  // Both left theirs: revealed to both (the client's page hears it live).
  await freelancerPage.getByTestId('feedback-by-client').getByText('Clean code, delivered on time.').waitFor()
  await clientPage.getByTestId('feedback-by-freelancer').getByText('Clear brief and quick payment.').waitFor()
  await freelancerPage.getByTestId('feedback-by-client').getByRole('button', { name: 'Reply' }).click()
  await freelancerPage.getByLabel('Your public reply').fill('Thank you, Petra!')
  await freelancerPage.getByRole('button', { name: 'Publish reply' }).click()
  await freelancerPage.getByTestId('feedback-reply').getByText('Thank you, Petra!').waitFor()
  await snap(freelancerPage, suite, '02-revealed-with-reply')

  // The freelancer's public profile: the score, its input (this contract, weighted by $800.00), the feedback and reply.
  await clientPage.goto(`/users/${freelancer.id}`)
  await clientPage.getByTestId('reputation').waitFor()
  const expected = ((4 * 30 + 5 * 70) / 100).toFixed(2)
  await clientPage.getByTestId('freelancer-score').getByText(`${expected} / 5`).waitFor()
  t.ok(
    await clientPage.getByTestId('freelancer-inputs').getByText('$800.00').first().isVisible(),
    'the input shows the money that weights it',
  )
  await clientPage.getByTestId('received-feedback').getByText('Clean code, delivered on time.').waitFor()
  await clientPage.getByTestId('received-feedback').getByText('Thank you, Petra!').waitFor()
  await snap(clientPage, suite, '03-freelancer-profile')

  await freelancerPage.goto(`/users/${client.id}`)
  await freelancerPage.getByTestId('client-score').getByText('5.00 / 5').waitFor()
  await freelancerPage.getByTestId('received-feedback').getByText('Clear brief and quick payment.').waitFor()
  await snap(freelancerPage, suite, '04-client-profile')
  t.pass('both profiles show the revealed feedback and the reputation it makes')
})
