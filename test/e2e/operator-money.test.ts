// The operator's money screens as an operator uses them: pending deposits and withdrawals name
// the person who asked (name and email, never an account id), and an escalated dispute on a
// yen contract is shown and split in yen (no decimals), not in dollars.
import t from 'tap'
import { boundFixedContract } from '../fixtures/fixed-contract.js'
import { depositConfirmed, idem, makeOperator } from '../money.js'
import { launchBrowser, newUser, signIn, snap, startServer } from './harness.js'

t.setTimeout(180_000)

const suite = 'operator-money'

t.test('deposits and withdrawals by name, a yen dispute decided in yen', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const operator = await makeOperator(server)
  const client = await server.register('Cleo Client')
  const freelancer = await server.register('Fred Lance')
  const post = async (token: string, url: string, payload: Record<string, unknown> = {}, key = true) => {
    const answer = await server.call({ method: 'POST', url, token, headers: key ? idem() : {}, payload })
    if (answer.statusCode >= 300) throw new Error(`${url}: ${answer.statusCode} ${answer.body}`)
    return answer.json()
  }

  // A yen contract: ¥2,000 released (the freelancer withdraws the ¥1,800 earned), ¥5,000 disputed.
  const { milestoneIds } = await boundFixedContract(server, {
    client,
    freelancer,
    amounts: [5_000, 2_000],
    currency: 'JPY',
  })
  const [disputed, paid] = milestoneIds as [string, string]
  await depositConfirmed(server, client, operator, 7_000, 'JPY')
  await post(client.token, `/api/v1/milestones/${disputed}/fund`)
  await post(client.token, `/api/v1/milestones/${paid}/fund`)
  await post(freelancer.token, `/api/v1/milestones/${paid}/submit`, { message: 'Done' }, false)
  await post(client.token, `/api/v1/milestones/${paid}/approve`)
  await post(freelancer.token, '/api/v1/wallet/withdrawals', { amount: 1_800, currency: 'JPY' })
  const dispute = await post(
    freelancer.token,
    `/api/v1/milestones/${disputed}/disputes`,
    { reason: 'Delivered' },
    false,
  )
  await post(client.token, `/api/v1/disputes/${dispute.id}/escalate`, {}, false)
  await post(client.token, '/api/v1/wallet/deposits', { amount: 100_000, currency: 'USD' })

  const ops = (await newUser(browser, server.base)).page
  await signIn(ops, operator, '/operator')

  const deposits = ops.getByTestId('pending-deposits')
  const depositRow = deposits.getByRole('row', { name: /Cleo Client/ })
  await depositRow.waitFor()
  t.match(await depositRow.textContent(), client.email, 'the deposit shows who asked: name and email')
  t.notMatch(await deposits.textContent(), client.id.slice(0, 8), 'and no account id')
  t.equal(
    await depositRow.getByRole('link', { name: 'Cleo Client' }).getAttribute('href'),
    `/users/${client.id}`,
    'the name leads to the profile',
  )
  const withdrawals = ops.getByRole('region', { name: 'Pending withdrawals' })
  const withdrawalRow = withdrawals.getByRole('row', { name: /Fred Lance/ })
  await withdrawalRow.waitFor()
  t.match(await withdrawalRow.textContent(), freelancer.email)
  t.match(await withdrawalRow.textContent(), '¥1,800', 'the withdrawal in yen')
  t.notMatch(await withdrawals.textContent(), freelancer.id.slice(0, 8))

  // The dispute: held ¥5,000; the operator gives the freelancer ¥3,000, typed in yen.
  const disputes = ops.getByRole('region', { name: 'Escalated disputes' })
  await disputes.getByText('held ¥5,000').waitFor()
  t.notMatch(await disputes.textContent(), /\$|50\.00/, 'no dollars, no cents')
  const share = disputes.getByLabel('The freelancer gets')
  t.match(await disputes.locator('label', { hasText: 'The freelancer gets' }).textContent(), '(JPY)')
  await disputes.getByText('Of ¥5,000 held; the rest returns to the client.').waitFor()
  await share.fill('3,000')
  await disputes.getByLabel('Decision note').fill('Most of the work was delivered')
  await snap(ops, suite, '01-operator-screen')
  await disputes.getByRole('button', { name: 'Decide' }).click()
  const dialog = ops.getByRole('dialog')
  t.match(await dialog.getByRole('heading').textContent(), 'Decide: ¥3,000 to the freelancer?')
  t.match(await dialog.textContent(), 'The freelancer gets ¥3,000 and ¥2,000 returns to the client.')
  await dialog.getByRole('button', { name: 'Confirm' }).click()
  await ops.getByText('Dispute decided; the money moved').waitFor()
  const decided = await server.call({ method: 'GET', url: `/api/v1/disputes/${dispute.id}`, token: client.token })
  t.match(decided.json(), { state: 'resolved', freelancerAmount: 3_000, currency: 'JPY' }, '¥3,000, not ¥300,000')
})
