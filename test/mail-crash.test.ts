// A mail committed with its event survives a SIGKILL of the server before it was sent: the
// outbox row is the truth, and the restarted server sends it, once.
import { rm } from 'node:fs/promises'
import t from 'tap'
import { migratedDataDir } from './fixtures.js'
import { startServer } from './fixtures/server-process.js'
import { addressOf, startSmtpSink } from './fixtures/smtp.js'
import { freshDatabase } from './helper.js'

t.setTimeout(120_000)

t.test('a server killed between commit and send still sends the mail after a restart', async (t) => {
  const smtp = await startSmtpSink()
  t.teardown(() => smtp.close())
  // An installed server's data: the database made and migrated (as a first start leaves it).
  const dataDir = await migratedDataDir('workroom-mail-crash-')
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  // PGlite on disk, or with DATABASE_URL a fresh Postgres database of this test's own.
  const database = process.env.DATABASE_URL ? await freshDatabase() : null
  if (database) await database.handle.close()
  t.teardown(() => database?.dispose().catch(() => {}))
  const env = { DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '', SMTP_URL: smtp.url, SECRET_KEY: 'k'.repeat(40) }

  // This instance never drains: the mail can only be committed, never sent, before the kill.
  const first = await startServer({ ...env, MAIL_POLL_MS: '0' })
  const email = `crash.${Date.now()}@example.com`
  const registered = await fetch(`${first.base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery staple', name: 'Crash' }),
  })
  t.equal(registered.status, 201, 'committed: the account and its verification mail')
  const exited = new Promise((resolve) => first.child.once('exit', resolve))
  first.child.kill('SIGKILL')
  await exited
  t.equal(smtp.attempts, 0, 'nothing was sent before the kill')

  const second = await startServer({ ...env, MAIL_POLL_MS: '100' })
  t.teardown(() => second.child.kill('SIGKILL'))
  const [mail] = await smtp.waitFor((m) => addressOf(m) === email, 1, 30_000)
  t.match(mail!.subject, /Confirm your email/)
  t.match(mail!.text, /verify-email\?token=/)
  // A few more drains of the restarted server send nothing again.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(smtp.mails.filter((m) => addressOf(m) === email).length, 1, 'sent once')
})
