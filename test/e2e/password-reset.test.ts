// Forgot password in the browser: ask for a link, read it from the mail a real SMTP server
// received, choose a new password, sign in with it. The verification link of the sign-up
// mail confirms the address the same way.
import t from 'tap'
import { addressOf, linkIn, startSmtpSink } from '../fixtures/smtp.js'
import { launchBrowser, newUser, signUp, snap, startServer } from './harness.js'

t.setTimeout(180_000)

const suite = 'password-reset'
const NEW_PASSWORD = 'a fresh passphrase for Gale'

t.test('forgot password: the mailed link sets a new password that signs in', async (t) => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  // The server sends its outbox by itself, as in production.
  const server = await startServer(t, { SMTP_URL: smtp.url, MAIL_POLL_MS: '200' })
  const browser = await launchBrowser(t)
  const { page } = await newUser(browser, server.base)
  const address = await signUp(page, 'Gale')

  const [welcome] = await smtp.waitFor((mail) => addressOf(mail) === address)
  await page.goto(linkIn(welcome!, `${server.base}/verify-email?token=`))
  await page.getByText(`${address} is confirmed.`).waitFor()

  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await page.waitForURL((url) => url.pathname === '/')
  await page.goto('/signin')
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await page.getByRole('heading', { name: 'Forgot your password' }).waitFor()
  await page.getByLabel('Email').fill(address)
  await page.getByRole('button', { name: 'Send the link' }).click()
  await page.getByText('a link to choose a new password is on its way').waitFor()
  await snap(page, suite, 'link-sent')

  const [mail] = await smtp.waitFor((m) => addressOf(m) === address && /Reset your/.test(m.subject ?? ''))
  t.match(mail!.html, /Choose a new password/, 'the mail has an HTML part with the link')
  await page.goto(linkIn(mail!, `${server.base}/reset-password?token=`))
  await page.getByLabel('New password').fill(NEW_PASSWORD)
  await page.getByRole('button', { name: 'Set the new password' }).click()
  await page.getByText('Your password is changed').waitFor()
  await snap(page, suite, 'password-changed')

  await page.getByRole('link', { name: 'Sign in' }).first().click()
  await page.getByLabel('Email').fill(address)
  await page.getByLabel('Password').fill(NEW_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'My work' }).waitFor()
  t.pass('signed in with the new password')

  // The same link again is refused, in words.
  await page.goto(linkIn(mail!, `${server.base}/reset-password?token=`))
  await page.getByLabel('New password').fill('yet another passphrase')
  await page.getByRole('button', { name: 'Set the new password' }).click()
  await page.getByText('This link does not work').waitFor()
  t.pass('a used link is refused')
})
