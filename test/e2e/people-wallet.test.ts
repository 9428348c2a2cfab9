// Finding people and following money, in the browser: a client invites a freelancer by typing
// part of a name; the operator confirms a deposit from the operator screen (after a
// confirmation that states the amount) and the client's wallet shows it; after a release the
// freelancer's wallet headline is the available earnings, the history lists the release in
// words, and the CSV download holds the same line.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { idem, makeOperator } from '../money.js'
import { act, hire, postJob, propose } from '../marketplace.js'
import { launchBrowser, newUser, signIn, snap, startServer } from './harness.js'

t.setTimeout(180_000)

const suite = 'people-wallet'

t.test('invite by name, confirm a deposit on screen, a release in the wallet and its CSV', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const operator = await makeOperator(server)
  const client = await server.register('Acme Studio')
  const freelancer = await server.register('Fredrika Lance')
  const other = await server.register('Frank Other')
  for (const [user, skills] of [
    [freelancer, ['figma', 'css']],
    [other, ['python']],
  ] as const) {
    const patched = await server.call({ method: 'PATCH', url: '/api/v1/me', token: user.token, payload: { skills } })
    t.equal(patched.statusCode, 200)
  }

  // The client asks for a deposit; the operator confirms it from the operator screen.
  const asked = await server.call({
    method: 'POST',
    url: '/api/v1/wallet/deposits',
    token: client.token,
    headers: idem(),
    payload: { amount: 100_000, currency: 'USD' },
  })
  t.equal(asked.statusCode, 201)
  const clientPage = (await newUser(browser, server.base)).page
  await signIn(clientPage, client, '/wallet')
  const ops = (await newUser(browser, server.base)).page
  await signIn(ops, operator, '/operator')
  await ops.getByRole('button', { name: 'Confirm $1,000.00' }).click()
  const dialog = ops.getByRole('dialog')
  t.match(await dialog.textContent(), /Confirm that \$1,000\.00 arrived\?/, 'the operator is asked with the amount')
  await dialog.getByRole('button', { name: 'Confirm' }).click()
  await ops.getByText('No deposits waiting.').waitFor()
  await clientPage.getByTestId('available-USD').getByText('$1,000.00').waitFor()
  t.pass("the client's open wallet shows $1,000.00 available to fund, without a reload")
  await clientPage.getByTestId('history').getByText('Deposit received').waitFor()

  // Inviting: type part of the name, pick from the list.
  const job = await postJob(server.call, client.token)
  await clientPage.goto(`/jobs/${job.id}`)
  const picker = clientPage.getByRole('combobox', { name: 'Invite a freelancer' })
  await picker.fill('fr')
  const options = clientPage.getByRole('option')
  await options.filter({ hasText: 'Frank Other' }).waitFor()
  t.equal(await options.count(), 2, 'both freelancers whose name starts with “Fr” are offered')
  await picker.fill('fredr')
  await options.filter({ hasText: 'Frank Other' }).waitFor({ state: 'detached' })
  await picker.press('ArrowDown')
  await picker.press('Enter')
  t.equal(await picker.inputValue(), 'Fredrika Lance')
  await snap(clientPage, suite, '01-invite-picked')
  await clientPage.getByRole('button', { name: 'Invite', exact: true }).click()
  await clientPage.getByText('Fredrika Lance is invited').waitFor()
  const room = await server.call({ method: 'GET', url: `/api/v1/workrooms/${job.workroomId}`, token: client.token })
  t.same(
    (room.json().invites as Array<{ freelancerId: string }>).map((i) => i.freelancerId),
    [freelancer.id],
    'the invitation went to the freelancer picked',
  )

  // A milestone released to the freelancer (through the API), then the freelancer's wallet.
  const dueDate = new Date(server.clock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10)
  const proposal = await propose(server.call, freelancer.token, job.id, {
    coverLetter: 'Happy to.',
    bidAmount: 40_000,
    estimatedDays: 10,
    milestones: [{ title: 'Design milestone', amount: 40_000, dueDate }],
  })
  const contract = await hire(server.call, client.token, proposal.id)
  await act(server.call, freelancer.token, `/api/v1/contracts/${contract.id}/accept`)
  const listed = await server.call({
    method: 'GET',
    url: `/api/v1/contracts/${contract.id}/milestones`,
    token: client.token,
  })
  const milestoneId = listed.json().items[0].id as string
  for (const [action, token, headers] of [
    ['fund', client.token, idem()],
    ['submit', freelancer.token, {}],
    ['approve', client.token, idem()],
  ] as const) {
    const response = await server.call({
      method: 'POST',
      url: `/api/v1/milestones/${milestoneId}/${action}`,
      token,
      headers,
      payload: action === 'submit' ? { message: 'Done' } : {},
    })
    t.equal(response.statusCode, 200, action)
  }
  const freelancerPage = (await newUser(browser, server.base)).page
  await signIn(freelancerPage, freelancer, '/wallet')
  const headline = freelancerPage.getByTestId('earnings-USD')
  await headline.getByText('$360.00').waitFor()
  t.match(
    await headline.textContent(),
    /Available earnings/,
    'the headline is the available earnings: $400 less the 10 % fee',
  )
  const history = freelancerPage.getByTestId('history')
  const row = history.getByRole('row', { name: /Released: Design milestone, Acme Studio/ })
  await row.waitFor()
  t.match(await row.textContent(), /Earnings.*\+\$360\.00/, 'the history names the release, the balance and the amount')
  await snap(freelancerPage, suite, '02-freelancer-wallet')

  const [download] = await Promise.all([
    freelancerPage.waitForEvent('download'),
    history.getByRole('link', { name: 'Download CSV' }).click(),
  ])
  t.equal(download.suggestedFilename(), 'workroom-history.csv')
  const csv = await readFile((await download.path())!, 'utf8')
  t.match(csv, /^date,description,account,amount,currency,amount_minor,kind,transfer_id\n/)
  t.match(csv, /,"Released: Design milestone, Acme Studio",Earnings,360\.00,USD,36000,release,/)
})
