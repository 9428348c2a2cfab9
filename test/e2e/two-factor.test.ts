// Two-factor sign-in in the browser: turn it on from the Security page (scan the QR or type
// the key, enter a code, see the recovery codes once), sign out, then sign in with the
// password and a code generated from the secret, as an authenticator app does.
import { Secret, TOTP } from 'otpauth'
import t from 'tap'
import { launchBrowser, newUser, signUp, snap, startServer } from './harness.js'

t.setTimeout(180_000)

const suite = 'two-factor'

const totpOf = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 })

t.test('two-factor: enable in the page, sign out, sign in with a code from the secret', async (t) => {
  const server = await startServer(t)
  const browser = await launchBrowser(t)
  const { page } = await newUser(browser, server.base)
  const address = await signUp(page, 'Freya')

  await page.goto('/settings/security')
  await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor()
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click()
  await page.getByRole('img', { name: 'QR code of your two-factor secret' }).waitFor()
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim()
  t.match(secret, /^[A-Z2-7]{32}$/, 'the key to type in is shown')
  const totp = totpOf(secret)
  await page.getByLabel('Code from your app').fill(totp.generate())
  await page.getByRole('button', { name: 'Turn on' }).click()

  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')
  await codes.first().waitFor()
  t.equal(await codes.count(), 10, 'ten recovery codes are shown once')
  await snap(page, suite, 'recovery-codes')
  await page.getByRole('button', { name: 'I have saved them' }).click()
  await page.getByText('Recovery codes left: 10 of 10').waitFor()
  t.equal(await codes.count(), 0, 'and not again')
  await page.getByText('This device').waitFor()

  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await page.waitForURL((url) => url.pathname === '/')
  await page.goto('/signin')
  await page.getByLabel('Email').fill(address)
  await page.getByLabel('Password').fill('correct horse battery staple')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Enter your sign-in code' }).waitFor()
  t.equal(
    (await page.context().cookies()).some((c) => c.name === 'wr_session'),
    false,
    'the password alone gave no session',
  )

  await page.getByLabel('Code').fill('000000' === totp.generate() ? '111111' : '000000')
  await page.getByRole('button', { name: 'Verify' }).click()
  await page.getByText('That code is wrong or was used already').waitFor()

  // The code that turned 2FA on cannot be used again: the authenticator's next code, 30 s on
  // (the server's clock is moved instead of waiting for it).
  server.clock.advance(30_000)
  await page.getByLabel('Code').fill(totp.generate({ timestamp: server.clock.now().getTime() }))
  await page.getByRole('button', { name: 'Verify' }).click()
  await page.getByRole('heading', { name: 'My work' }).waitFor()
  t.pass('signed in with the password and a code')

  await page.goto('/settings/security')
  await page.getByText(/^On$/).waitFor()
  t.ok(await page.getByText('This device').isVisible(), 'the new session is listed as this device')
  await snap(page, suite, 'security-page')

  // New recovery codes, with the password and the app's next code; a wrong password first.
  const renew = page.getByRole('form', { name: 'New recovery codes' })
  server.clock.advance(30_000)
  await renew.getByLabel('Password').fill('not my password')
  await renew
    .getByLabel('Code from your app, or a recovery code')
    .fill(totp.generate({ timestamp: server.clock.now().getTime() }))
  await renew.getByRole('button', { name: 'Make new recovery codes' }).click()
  await renew.getByText('Wrong password').waitFor()
  await renew.getByLabel('Password').fill('correct horse battery staple')
  await renew.getByRole('button', { name: 'Make new recovery codes' }).click()
  await codes.first().waitFor()
  const fresh = await codes.allInnerTexts()
  t.equal(fresh.length, 10, 'ten new recovery codes are shown once')
  await page.getByRole('button', { name: 'I have saved them' }).click()
  await page.getByText('Recovery codes left: 10 of 10').waitFor()
  t.pass('the page counts the new ten')

  // The same page, two-factor on, on a phone: nothing runs off the screen, both forms can be used.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.reload()
  await page.getByText(/^On$/).waitFor()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  t.ok(overflow <= 0, `nothing runs off a phone screen (${overflow} px)`)
  for (const name of ['Make new recovery codes', 'Turn off two-factor sign-in']) {
    const box = (await page.getByRole('button', { name }).boundingBox())!
    t.ok(box.x >= 0 && box.x + box.width <= 390, `"${name}" fits the screen's width`)
  }
})
