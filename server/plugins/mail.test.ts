import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import t from 'tap'
import { mailOutboxTable } from '../../db/schema/index.js'
import { startSmtpSink } from '../../test/fixtures/smtp.js'
import { build } from '../../test/helper.js'
import { MAIL_BACKOFF_BASE_MS, MAIL_MAX_ATTEMPTS } from './mail.js'

t.setTimeout(90_000)

const message = (to: string, extra: Partial<Parameters<typeof sample>[0]> = {}) => sample({ to, ...extra })
function sample(input: { to: string; subject?: string; dedupeKey?: string; headers?: Record<string, string> }) {
  return {
    to: input.to,
    subject: input.subject ?? 'Your milestone was funded',
    text: 'Acme funded “Design” (US$500.00).',
    html: '<p>Acme funded &ldquo;Design&rdquo; (US$500.00) &lt;3</p>',
    ...(input.headers ? { headers: input.headers } : {}),
    ...(input.dedupeKey ? { dedupeKey: input.dedupeKey } : {}),
  }
}

t.test('without SMTP_URL each mail is an .eml file under DATA_DIR/mail, multipart text and HTML', async (t) => {
  const { app, dataDir } = await build(t)
  await app.mail.enqueue(app.db, message('ada@example.com'))
  t.equal(await app.mail.drain(), 1)
  const dir = path.join(dataDir, 'mail')
  const files = await readdir(dir)
  t.equal(files.length, 1)
  t.match(files[0], /\.eml$/)
  const mail = await simpleParser(await readFile(path.join(dir, files[0]!)))
  t.equal(mail.subject, 'Your milestone was funded')
  t.equal(mail.text?.trim(), 'Acme funded “Design” (US$500.00).')
  t.match(mail.html, /&lt;3/)
  t.same(mail.from?.value, [{ name: 'Workroom', address: 'no-reply@localhost' }])
  t.equal(await app.mail.drain(), 0, 'a sent mail is not sent again')
})

t.test('SMTP: text, HTML and List-Unsubscribe headers arrive; a dedupe key makes one mail', async (t) => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const { app } = await build(t, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'Workroom <mail@workroom.test>' } })
  const unsubscribe = {
    'List-Unsubscribe': '<https://workroom.test/api/v1/unsubscribe?token=abc>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  }
  await app.db.transaction(async (tx) => {
    await app.mail.enqueue(tx, message('bo@example.com', { headers: unsubscribe, dedupeKey: 'funded:1' }))
    await app.mail.enqueue(tx, message('bo@example.com', { headers: unsubscribe, dedupeKey: 'funded:1' }))
  })
  t.equal(await app.mail.drain(), 1)
  const [mail] = await smtp.waitFor(() => true)
  t.equal(mail!.to && !Array.isArray(mail!.to) ? mail!.to.text : '', 'bo@example.com')
  t.same(mail!.from?.value, [{ name: 'Workroom', address: 'mail@workroom.test' }])
  t.equal(mail!.text?.trim(), 'Acme funded “Design” (US$500.00).')
  t.match(mail!.html, /<p>Acme funded &ldquo;Design&rdquo;/)
  const header = (key: string) => mail!.headerLines.find((line) => line.key === key)?.line
  t.equal(header('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click')
  t.equal(header('list-unsubscribe'), 'List-Unsubscribe: <https://workroom.test/api/v1/unsubscribe?token=abc>')
  t.equal(smtp.mails.length, 1, 'the second enqueue with the same key made no mail')
})

t.test('a mail rolled back with its transaction is never sent', async (t) => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const { app } = await build(t, { env: { SMTP_URL: smtp.url } })
  await app.db
    .transaction(async (tx) => {
      await app.mail.enqueue(tx, message('cy@example.com'))
      throw new Error('the event failed')
    })
    .catch(() => {})
  t.equal(await app.mail.drain(), 0)
  t.equal(smtp.attempts, 0)
})

t.test('a 4xx and a 5xx from the SMTP server are retried with growing waits, then the mail goes', async (t) => {
  const smtp = await startSmtpSink({ refuse: (attempt) => (attempt === 1 ? 451 : attempt === 2 ? 554 : null) })
  t.teardown(() => smtp.close())
  const { app, clock } = await build(t, { env: { SMTP_URL: smtp.url } })
  await app.mail.enqueue(app.db, message('di@example.com'))
  t.equal(await app.mail.drain(), 0, 'first attempt refused (451)')
  t.equal(smtp.attempts, 1)
  t.equal(await app.mail.drain(), 0, 'not retried before its wait')
  t.equal(smtp.attempts, 1)
  clock.advance(MAIL_BACKOFF_BASE_MS)
  t.equal(await app.mail.drain(), 0, 'second attempt refused (554)')
  t.equal(smtp.attempts, 2)
  clock.advance(MAIL_BACKOFF_BASE_MS)
  t.equal(await app.mail.drain(), 0, 'the second wait is twice the first')
  clock.advance(MAIL_BACKOFF_BASE_MS)
  t.equal(await app.mail.drain(), 1, 'third attempt accepted')
  t.equal(smtp.mails.length, 1)
  const [row] = await app.db.select().from(mailOutboxTable)
  t.equal(row!.status, 'sent')
  t.equal(row!.attempts, 3)
})

t.test('a mail refused every time ends failed after the last attempt', async (t) => {
  const smtp = await startSmtpSink({ refuse: () => 550 })
  t.teardown(() => smtp.close())
  const { app, clock } = await build(t, { env: { SMTP_URL: smtp.url } })
  await app.mail.enqueue(app.db, message('ed@example.com'))
  for (let i = 0; i < MAIL_MAX_ATTEMPTS + 2; i++) {
    await app.mail.drain()
    clock.advance(24 * 3600_000)
  }
  t.equal(smtp.attempts, MAIL_MAX_ATTEMPTS, 'no attempt after the last')
  const [row] = await app.db.select().from(mailOutboxTable).where(eq(mailOutboxTable.toAddress, 'ed@example.com'))
  t.equal(row!.status, 'failed')
  t.match(row!.lastError, /550/)
})

t.test('two instances on one database drain together and send each mail once', async (t) => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  const env = { SMTP_URL: smtp.url }
  const first = await build(t, { env })
  const second = await build(t, { env, clock: first.clock, sameDatabaseAs: first })
  for (let i = 0; i < 30; i++) await first.app.mail.enqueue(first.app.db, message(`user${i}@example.com`))
  const [a, b] = await Promise.all([first.app.mail.drain(), second.app.mail.drain()])
  t.equal(a + b, 30, 'every mail sent by one of them')
  t.equal(smtp.mails.length, 30)
  t.equal(new Set(smtp.mails.map((mail) => mail.messageId)).size, 30, 'no mail twice')
})
