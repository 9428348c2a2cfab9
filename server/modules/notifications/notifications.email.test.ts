import type { ParsedMail } from 'mailparser'
import t from 'tap'
import { DAY } from '../../clock.js'
import { build, type TestApp, type TestUser } from '../../../test/helper.js'
import { startSmtpSink } from '../../../test/fixtures/smtp.js'
import { nextDigestAt, type NotificationInput } from './index.js'

t.setTimeout(120_000)

async function notify(test: TestApp, input: Partial<NotificationInput> & { userIds: string[] }) {
  return test.app.db.transaction((tx) =>
    test.app.notifications.notify(tx, {
      type: 'milestone.funded',
      subject: { kind: 'milestone', id: '00000000-0000-4000-8000-000000000001' },
      title: 'Acme <b>&</b> Co funded “Design” ($500.00)',
      link: '/contracts/00000000-0000-4000-8000-000000000002',
      ...input,
    }),
  )
}

async function choose(test: TestApp, user: TestUser, categories: Record<string, string>) {
  const response = await test.call({
    method: 'PUT',
    url: '/api/v1/me/notification-preferences',
    token: user.token,
    payload: { categories },
  })
  if (response.statusCode !== 200) throw new Error(response.body)
}

const header = (mail: ParsedMail, name: string) =>
  mail.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, '') ?? null
/** Notification mails (account mails, such as the address check at sign-up, carry no List-Unsubscribe). */
const notice = (mail: ParsedMail) => header(mail, 'List-Unsubscribe') !== null

t.test(
  'email at once for those who chose it, escaped, with one-click unsubscribe headers; the daily digest',
  async (t) => {
    const sink = await startSmtpSink()
    t.teardown(() => sink.close())
    const test = await build(t, { env: { SMTP_URL: sink.url, MAIL_FROM: 'Workroom <mail@workroom.test>' } })
    const ana = await test.register('Ana')
    const bo = await test.register('Bo')
    const cy = await test.register('Cy')
    await choose(test, bo, { money: 'in_app' })
    await choose(test, cy, { money: 'digest' })

    await notify(test, { userIds: [ana.id, bo.id, cy.id] })
    await test.app.mail.drain()
    const [mail] = await sink.waitFor(notice, 1, 5000)
    t.equal(sink.mails.filter(notice).length, 1, 'only Ana chose email for money')
    t.equal((mail!.to as { text: string }).text, ana.email)
    t.equal(mail!.subject, 'Acme <b>&</b> Co funded “Design” ($500.00)')
    t.match(mail!.text, /Acme <b>&<\/b> Co funded/)
    t.match(mail!.text, new RegExp(`${test.config.publicUrl}/contracts/00000000-0000-4000-8000-000000000002`))
    t.match(String(mail!.html), /Acme &lt;b&gt;&amp;&lt;\/b&gt; Co funded/, 'the HTML part is escaped')
    t.notMatch(String(mail!.html), /<b>&<\/b>/)
    const unsubscribe = header(mail!, 'List-Unsubscribe')
    t.match(unsubscribe, /^<http.*\/api\/v1\/unsubscribe\?token=.+>$/)
    t.equal(header(mail!, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click')

    // The same notification is mailed once however often the outbox drains.
    await test.app.mail.drain()
    t.equal(sink.mails.filter(notice).length, 1)

    // Cy's waits for the digest, with a second one of another category.
    await notify(test, { userIds: [cy.id], type: 'message.received', title: 'Ana wrote to you' })
    test.clock.set(new Date(nextDigestAt(test.clock.now()).getTime() + 1000))
    await test.app.scheduler.runDue()
    await test.app.mail.drain()
    const [digest] = await sink.waitFor((m) => /digest/i.test(m.subject ?? ''), 1, 5000)
    t.equal((digest!.to as { text: string }).text, cy.email)
    t.match(digest!.subject, /2 notifications/)
    t.match(digest!.text, /Acme <b>&<\/b> Co funded/)
    t.match(digest!.text, /Ana wrote to you/)
    t.match(String(digest!.html), /Acme &lt;b&gt;/)
    t.ok(header(digest!, 'List-Unsubscribe'), 'the digest can be unsubscribed in one click too')

    test.clock.advance(DAY)
    await test.app.scheduler.runDue()
    await test.app.mail.drain()
    t.equal(sink.mails.filter(notice).length, 2, 'a digest sends each notification once')
    t.equal(
      sink.mails.filter((m) => notice(m) && (m.to as { text: string }).text === bo.email).length,
      0,
      'in_app only: Bo got no mail at all',
    )
  },
)

t.test('one-click unsubscribe: valid, tampered, expired; no session needed', async (t) => {
  const sink = await startSmtpSink()
  t.teardown(() => sink.close())
  const test = await build(t, { env: { SMTP_URL: sink.url } })
  const ana = await test.register('Ana')
  await notify(test, { userIds: [ana.id] })
  await test.app.mail.drain()
  const [mail] = await sink.waitFor(notice, 1, 5000)
  const url = new URL(header(mail!, 'List-Unsubscribe')!.slice(1, -1))
  const token = url.searchParams.get('token')!
  const path = `${url.pathname}?token=${encodeURIComponent(token)}`

  const shown = await test.call({ method: 'GET', url: path })
  t.equal(shown.statusCode, 200, shown.body)
  t.same(shown.json(), { categories: ['money'], email: true })

  const tampered = `${url.pathname}?token=${encodeURIComponent(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))}`
  for (const method of ['GET', 'POST'] as const) {
    const refused = await test.call({
      method,
      url: tampered,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    })
    t.equal(refused.statusCode, 400, `${method} with a tampered token`)
    t.match(refused.json().message, /not valid/)
  }
  const prefs = await test.call({ method: 'GET', url: '/api/v1/me/notification-preferences', token: ana.token })
  t.equal(prefs.json().categories.money, 'email', 'a refused link changed nothing')

  const done = await test.call({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'List-Unsubscribe=One-Click',
  })
  t.equal(done.statusCode, 200, done.body)
  const after = await test.call({ method: 'GET', url: '/api/v1/me/notification-preferences', token: ana.token })
  t.equal(after.json().categories.money, 'in_app', 'money mail is off; the notifications stay in the app')
  await notify(test, { userIds: [ana.id] })
  await test.app.mail.drain()
  t.equal(sink.mails.filter(notice).length, 1, 'no more money mail')
  const list = await test.call({ method: 'GET', url: '/api/v1/notifications', token: ana.token })
  t.equal(list.json().items.length, 2)

  test.clock.advance(91 * DAY)
  const expired = await test.call({ method: 'GET', url: path })
  t.equal(expired.statusCode, 400, 'an expired link is refused')
})
