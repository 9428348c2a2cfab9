// Steps both golden paths take in the browser, each the clicks and forms a user makes: a job
// posted, a proposal sent, a hire, the wallet's deposit confirmed by an operator, a
// withdrawal paid out, and the double-blind feedback of both parties. Each step waits until
// the page shows its outcome; the operator's page is signed in already.
import type { Locator, Page } from 'playwright-core'

/** On the job form (already open), the client publishes a job and lands on its page. */
export async function postJobOnPage(
  page: Page,
  job: { title: string; description: string; arrangement: 'fixed' | 'hourly'; from: string; upTo: string },
): Promise<void> {
  const range = job.arrangement === 'fixed' ? 'Budget' : 'Hourly rate'
  await page.getByLabel('Title').fill(job.title)
  await page.getByLabel('Description').fill(job.description)
  await page.getByLabel('Arrangement').selectOption(job.arrangement)
  await page.getByLabel(new RegExp(`${range} from`)).fill(job.from)
  await page.getByLabel(new RegExp(`${range} up to`)).fill(job.upTo)
  await page.getByRole('button', { name: 'Publish job' }).click()
  await page.getByRole('heading', { name: job.title }).waitFor()
}

/** A freelancer finds the job by a search and sends a proposal: a bid or an hourly rate, and a plan if given. */
export async function proposeOnPage(
  page: Page,
  input: {
    search: string
    title: string
    coverLetter: string
    amount: string
    days: string
    plan?: Array<[string, string]>
  },
): Promise<void> {
  await page.goto(`/jobs?q=${encodeURIComponent(input.search)}`)
  await page.getByRole('link', { name: input.title }).click()
  await page.getByLabel('Cover letter').fill(input.coverLetter)
  await page.getByLabel(/Your bid|Your hourly rate/).fill(input.amount)
  await page.getByLabel('Estimated days').fill(input.days)
  for (const [i, [title, amount]] of (input.plan ?? []).entries()) {
    await page.getByRole('button', { name: 'Add a milestone' }).click()
    const row = page.locator('.plan-row').nth(i)
    await row.getByLabel(`Milestone ${i + 1}`, { exact: true }).fill(title)
    await row.getByLabel(/Amount/).fill(amount)
  }
  await page.getByRole('button', { name: 'Send proposal' }).click()
  await page.getByTestId('own-proposal').waitFor()
}

/** From "My work" (already open), the client opens a freelancer's proposal in the job's workroom. */
export async function proposalInWorkroom(page: Page, input: { title: string; freelancer: string }): Promise<Locator> {
  await page.getByRole('heading', { name: 'My work' }).waitFor()
  await page.getByRole('link', { name: input.title }).first().click()
  await page.getByRole('link', { name: 'Open the workroom' }).click()
  const card = page.getByTestId(`proposal-${input.freelancer}`)
  await card.waitFor()
  return card
}

/** The client hires from a proposal card; returns the offer's contract path. */
export async function hireFrom(page: Page, card: Locator, freelancer: string): Promise<string> {
  await card.getByRole('button', { name: `Hire ${freelancer}` }).click()
  await card.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
  await page.getByTestId('offer').waitFor()
  return new URL(page.url()).pathname
}

/** Opens a main menu entry the way a phone user does: the menu first. */
export async function menu(page: Page, entry: string): Promise<void> {
  await page.getByRole('button', { name: 'Menu' }).click()
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: entry }).click()
}

/**
 * The client asks for a deposit on the wallet page and the operator confirms it; the client's
 * open wallet page hears of the confirmation on its event stream (no reload).
 */
export async function depositThroughOperator(
  client: Page,
  operator: Page,
  amount: { typed: string; shown: string },
): Promise<void> {
  await client
    .getByLabel(/^Amount/)
    .first()
    .fill(amount.typed)
  await client.getByRole('button', { name: 'Request deposit' }).click()
  await client.getByTestId('deposits').getByText('pending').waitFor()
  await operator.goto('/operator')
  await operator.getByRole('button', { name: `Confirm ${amount.shown}` }).click()
  await operator.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
  await operator.getByText('No deposits waiting.').waitFor()
  await client.getByTestId('balances').getByText(amount.shown).first().waitFor()
}

/**
 * The freelancer withdraws all their earnings from the wallet page and the operator marks it
 * paid; the freelancer's open page hears of it (no reload). Returns the amount as shown.
 */
export async function withdrawThroughOperator(freelancer: Page, operator: Page): Promise<string> {
  await freelancer.goto('/wallet')
  const balances = freelancer.getByTestId('balances')
  const earnings = (await balances.getByText(/earnings \$/).textContent())?.match(/earnings (\$[\d,.]+)/)?.[1]
  if (!earnings || earnings === '$0.00') throw new Error(`nothing to withdraw: ${earnings}`)
  const form = freelancer.locator('form', { has: freelancer.getByRole('heading', { name: 'Withdraw earnings' }) })
  await form.getByLabel(/^Amount/).fill(earnings.slice(1))
  await form.getByLabel(/Pay to/).fill('IBAN DE00 1234 5678')
  await form.getByRole('button', { name: 'Request withdrawal' }).click()
  await form.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
  await balances.getByText(`withdrawing ${earnings}`).waitFor()
  await operator.goto('/operator')
  await operator.getByRole('button', { name: 'Mark paid' }).click()
  await operator.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
  await operator.getByText('No withdrawals waiting.').waitFor()
  await balances.getByText(`withdrawing ${earnings}`).waitFor({ state: 'detached' })
  await balances.getByText('earnings $0.00').waitFor()
  await operator.getByRole('button', { name: 'Verify the ledger' }).click()
  await operator.getByText('Balanced', { exact: true }).waitFor()
  return earnings
}

/**
 * On an ended contract's page, the client rates first (only they see it), then the freelancer;
 * both see both once the second is left. Returns whether the client's feedback stayed hidden
 * from the freelancer before the reveal.
 */
export async function bothLeaveFeedback(
  client: Page,
  freelancer: Page,
  input: { contractPath: string; byClient: string; byFreelancer: string },
): Promise<{ hiddenBeforeReveal: boolean }> {
  await client.getByTestId('feedback-form').waitFor()
  await client.getByLabel('Quality of work').selectOption('4')
  await client.getByLabel('Public comment').fill(input.byClient)
  await client.getByRole('button', { name: 'Leave feedback' }).click()
  await client.getByText('only you see this until the reveal').waitFor()

  await freelancer.goto(input.contractPath)
  await freelancer.getByText('The client has left theirs.').waitFor()
  const hiddenBeforeReveal = (await freelancer.getByTestId('feedback-by-client').count()) === 0
  await freelancer.getByLabel('Public comment').fill(input.byFreelancer)
  await freelancer.getByRole('button', { name: 'Leave feedback' }).click()
  await freelancer.getByTestId('feedback-by-client').getByText(input.byClient).waitFor()
  await client.getByTestId('feedback-by-freelancer').getByText(input.byFreelancer).waitFor()
  return { hiddenBeforeReveal }
}
