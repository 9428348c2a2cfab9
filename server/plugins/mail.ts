import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { and, asc, eq, lte } from 'drizzle-orm'
import fp from 'fastify-plugin'
import type { Transporter } from 'nodemailer'
import type { Database, Executor } from '../../db/client.js'
import { mailOutboxTable } from '../../db/schema/index.js'
import type { Clock } from '../clock.js'
import type { IdGenerator } from '../ids.js'

export interface MailMessage {
  to: string
  subject: string
  text: string
  /** Already escaped by the caller. */
  html: string
  /** Extra headers passed through as they are, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers?: Record<string, string>
  userId?: string | null
  category?: string | null
  /** The same key enqueued twice makes one mail. */
  dedupeKey?: string
}

export interface Mailer {
  /** Writes to the outbox inside the caller's transaction (or on the db); a drain sends it after commit. */
  enqueue(executor: Executor, message: MailMessage): Promise<void>
  /** Sends everything due now; returns how many were sent. Tests call it; the poll loop too. */
  drain(): Promise<number>
}

declare module 'fastify' {
  interface FastifyInstance {
    mail: Mailer
  }
}

/** What actually hands a built message over: SMTP, or a `.eml` file without SMTP_URL. */
export interface MailTransport {
  send(message: MailMessage & { id: string; from: string }): Promise<void>
  close(): void
}

/** Attempts before a mail is marked failed; the waits between them double from BACKOFF_BASE_MS. */
export const MAIL_MAX_ATTEMPTS = 8
export const MAIL_BACKOFF_BASE_MS = 30_000
const BACKOFF_CAP_MS = 6 * 3600_000
/**
 * A claimed mail is held this long: a crash mid-send leaves it to be retried once the lease
 * ends (longer than the SMTP timeouts below, so a slow send is never sent twice meanwhile).
 */
export const MAIL_LEASE_MS = 3 * 60_000
const CLAIM_BATCH = 10

export function mailBackoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, MAIL_BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1))
}

function toMailOptions(message: MailMessage & { id: string; from: string }) {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers ?? {},
    // The same Message-ID on every attempt of one row: a receiver can tell a repeat.
    messageId: `<${message.id}@workroom.mail>`,
  }
}

/**
 * nodemailer (~300 KB of the ~3.5 MB compiled server) is loaded with the first mail, not at
 * every start: most starts send none before they serve.
 */
function lazyTransport(options: object): { get(): Promise<Transporter>; close(): void } {
  let transport: Promise<Transporter> | undefined
  return {
    get: () =>
      (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options))),
    close: () =>
      void transport?.then(
        (opened) => opened.close(),
        () => {},
      ),
  }
}

export function smtpTransport(url: string): MailTransport {
  const transport = lazyTransport({
    url,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  })
  return {
    async send(message) {
      await (await transport.get()).sendMail(toMailOptions(message))
    },
    close: () => transport.close(),
  }
}

/** Without SMTP_URL: each mail as an `.eml` file under `dir`, and a log line saying where. */
export function fileTransport(dir: string, log: { info(obj: object, msg: string): void }): MailTransport {
  const transport = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    async send(message) {
      const info = await (await transport.get()).sendMail(toMailOptions(message))
      await mkdir(dir, { recursive: true })
      const file = path.join(dir, `${Date.now()}-${message.id}.eml`)
      await writeFile(file, info.message as Buffer)
      log.info({ mail: { to: message.to, subject: message.subject, file } }, 'mail written (no SMTP_URL)')
    },
    close: () => transport.close(),
  }
}

interface ClaimedMail {
  id: string
  attempts: number
  message: MailMessage
}

export function createMailer(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  from: string
  transport: MailTransport
  log: {
    info(obj: object, msg: string): void
    warn(obj: object, msg: string): void
    error(obj: object, msg: string): void
  }
}): Mailer & { idle(): Promise<void> } {
  const { db, clock, ids, from, transport, log } = deps
  let running: Promise<number> | null = null

  /** Claims due mails in a short transaction (leased, so another instance skips them) and commits. */
  async function claim(): Promise<ClaimedMail[]> {
    return db.transaction(async (tx) => {
      const now = clock.now()
      const rows = await tx
        .select()
        .from(mailOutboxTable)
        .where(and(eq(mailOutboxTable.status, 'pending'), lte(mailOutboxTable.nextAttemptAt, now)))
        .orderBy(asc(mailOutboxTable.nextAttemptAt))
        .limit(CLAIM_BATCH)
        .for('update', { skipLocked: true })
      for (const row of rows) {
        await tx
          .update(mailOutboxTable)
          .set({ attempts: row.attempts + 1, nextAttemptAt: new Date(now.getTime() + MAIL_LEASE_MS) })
          .where(eq(mailOutboxTable.id, row.id))
      }
      return rows.map((row) => ({
        id: row.id,
        attempts: row.attempts + 1,
        message: {
          to: row.toAddress,
          subject: row.subject,
          text: row.textBody,
          html: row.htmlBody,
          headers: row.headers,
        },
      }))
    })
  }

  async function sendOne(mail: ClaimedMail): Promise<boolean> {
    try {
      await transport.send({ ...mail.message, id: mail.id, from })
    } catch (err) {
      const final = mail.attempts >= MAIL_MAX_ATTEMPTS
      const reason = err instanceof Error ? err.message.slice(0, 500) : 'send failed'
      await db
        .update(mailOutboxTable)
        .set(
          final
            ? { status: 'failed', lastError: reason }
            : { lastError: reason, nextAttemptAt: new Date(clock.now().getTime() + mailBackoffMs(mail.attempts)) },
        )
        .where(and(eq(mailOutboxTable.id, mail.id), eq(mailOutboxTable.status, 'pending')))
      log[final ? 'error' : 'warn'](
        { err, mail: { id: mail.id, attempts: mail.attempts } },
        final ? 'mail failed for good' : 'mail not sent; will retry',
      )
      return false
    }
    // A crash right here (accepted by SMTP, not yet marked) sends it again after the lease:
    // the documented at-least-once edge (docs/mail.md).
    await db
      .update(mailOutboxTable)
      .set({ status: 'sent', sentAt: clock.now(), lastError: null, messageId: `<${mail.id}@workroom.mail>` })
      .where(eq(mailOutboxTable.id, mail.id))
    return true
  }

  async function drainAll(): Promise<number> {
    let sent = 0
    for (;;) {
      const batch = await claim()
      if (batch.length === 0) return sent
      for (const mail of batch) if (await sendOne(mail)) sent++
    }
  }

  return {
    async enqueue(executor, message) {
      await executor
        .insert(mailOutboxTable)
        .values({
          id: ids.newId(),
          toAddress: message.to,
          subject: message.subject,
          textBody: message.text,
          htmlBody: message.html,
          headers: message.headers ?? {},
          userId: message.userId ?? null,
          category: message.category ?? null,
          dedupeKey: message.dedupeKey ?? null,
          nextAttemptAt: clock.now(),
          createdAt: clock.now(),
        })
        .onConflictDoNothing({ target: mailOutboxTable.dedupeKey })
    },
    drain() {
      // One pass at a time per instance; a caller arriving meanwhile waits and then runs its own.
      const next = (running ?? Promise.resolve(0)).catch(() => 0).then(() => drainAll())
      running = next
      return next
    },
    async idle() {
      await running?.catch(() => 0)
    },
  }
}

export const mailPlugin = fp<{
  clock: Clock
  ids: IdGenerator
  smtpUrl: string | null
  from: string
  dataDir: string
  pollMs: number
}>(
  async (app, { clock, ids, smtpUrl, from, dataDir, pollMs }) => {
    const transport = smtpUrl ? smtpTransport(smtpUrl) : fileTransport(path.join(dataDir, 'mail'), app.log)
    const mailer = createMailer({ db: app.db, clock, ids, from, transport, log: app.log })
    app.decorate('mail', mailer)
    let timer: NodeJS.Timeout | undefined
    if (pollMs > 0) {
      const tick = () => {
        mailer
          .drain()
          .catch((err: unknown) => app.log.error({ err }, 'mail drain failed'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, pollMs).unref()
          })
      }
      app.addHook('onReady', async () => {
        timer = setTimeout(tick, pollMs).unref()
      })
    }
    // preClose: before the database closes under a running drain.
    app.addHook('preClose', async () => {
      clearTimeout(timer)
      timer = undefined
      await mailer.idle()
    })
    app.addHook('onClose', async () => transport.close())
  },
  { name: 'mail', dependencies: ['database'] },
)
