import { inArray } from 'drizzle-orm'
import type { Executor, Transaction } from '../../../db/client.js'
import { usersTable } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'
import { markDigested, pendingDigest, preferencesOf, type NotificationRow } from './notifications.repository.js'
import {
  DEFAULT_CHANNELS,
  NOTIFICATION_CATEGORIES,
  type NotificationCategory,
  type NotifiedEvent,
} from './notifications.types.js'

/** The part of `app.mail` (server/plugins/mail.ts) this module uses. */
export interface MailerLike {
  enqueue(
    executor: Executor,
    message: {
      to: string
      subject: string
      text: string
      html: string
      headers?: Record<string, string>
      userId?: string | null
      category?: string | null
      dedupeKey?: string
    },
  ): Promise<void>
}

/** The part of `app.signer` (server/signing.ts) this module uses. */
export interface SignerLike {
  sign(purpose: string, payload: object, expiresAt: Date): string
  verify<T extends object = Record<string, unknown>>(purpose: string, token: string): T | null
}

export const UNSUBSCRIBE_PURPOSE = 'notifications.unsubscribe'
/** How long an unsubscribe link in a mail keeps working. */
export const UNSUBSCRIBE_LINK_DAYS = 90

const CATEGORY_WORDS: Record<NotificationCategory, string> = {
  hiring: 'hiring (invites, proposals, offers)',
  terms: 'terms and status reports',
  money: 'money (milestones, invoices, withdrawals)',
  hourly: 'hourly work (timesheets)',
  disputes: 'disputes',
  messages: 'messages',
  feedback: 'feedback',
  reminders: 'deadline reminders',
  account: 'your account',
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

export interface EmailChannel {
  /** Enqueues one mail per recipient whose preference for the category is `email`. */
  sendNow(
    tx: Transaction,
    event: NotifiedEvent,
    category: NotificationCategory,
    to: readonly { userId: string; notificationId: string }[],
  ): Promise<void>
  /** One digest mail per person with waiting digest notifications (a batch of people); returns how many people. */
  sendDigests(tx: Transaction): Promise<number>
  unsubscribeToken(userId: string, category: NotificationCategory): string | null
  /** Who and which categories a link turns off; null when tampered with, for another purpose or expired. */
  readUnsubscribeToken(token: string): { userId: string; categories: NotificationCategory[] } | null
  unsubscribeUrl(userId: string, category: NotificationCategory): string | null
}

export function createEmailChannel(deps: {
  mail: () => MailerLike | null
  signer: () => SignerLike | null
  publicUrl: string
  clock: Clock
}): EmailChannel {
  const { publicUrl, clock } = deps

  const unsubscribeToken = (userId: string, category: NotificationCategory) => {
    const signer = deps.signer()
    if (!signer) return null
    const expiresAt = new Date(clock.now().getTime() + UNSUBSCRIBE_LINK_DAYS * 86_400_000)
    return signer.sign(UNSUBSCRIBE_PURPOSE, { u: userId, c: category }, expiresAt)
  }
  const unsubscribeUrl = (userId: string, category: NotificationCategory) => {
    const token = unsubscribeToken(userId, category)
    return token ? `${publicUrl}/api/v1/unsubscribe?token=${encodeURIComponent(token)}` : null
  }

  async function addresses(executor: Executor, userIds: readonly string[]) {
    if (userIds.length === 0) return new Map<string, { email: string; name: string }>()
    const rows = await executor
      .select({ id: usersTable.id, email: usersTable.email, name: usersTable.name })
      .from(usersTable)
      .where(inArray(usersTable.id, [...userIds]))
    return new Map(rows.map((r) => [r.id, { email: r.email, name: r.name }]))
  }

  /** The footer both parts share: why this mail came, and how to stop it. */
  function compose(
    userId: string,
    category: NotificationCategory,
    body: { text: string; html: string },
  ): { text: string; html: string; headers: Record<string, string> } {
    const url = unsubscribeUrl(userId, category)
    // People open the page (it asks first); mail clients POST to the header's address (RFC 8058).
    const page = url ? url.replace('/api/v1/unsubscribe?', '/unsubscribe?') : null
    const settings = `${publicUrl}/notifications/settings`
    const why = `You get this because your ${CATEGORY_WORDS[category]} notifications are set to email.`
    const text = [body.text, '', '--', why, `Settings: ${settings}`, page ? `Unsubscribe: ${page}` : '']
      .filter((line, i, all) => line !== '' || i < all.length - 1)
      .join('\n')
    const html =
      `${body.html}<hr><p style="color:#555;font-size:12px">${escapeHtml(why)} ` +
      `<a href="${escapeHtml(settings)}">Settings</a>` +
      (page ? ` · <a href="${escapeHtml(page)}">Unsubscribe</a>` : '') +
      '</p>'
    const headers: Record<string, string> = url
      ? { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : {}
    return { text, html, headers }
  }

  return {
    async sendNow(tx, event, category, to) {
      const mail = deps.mail()
      if (!mail || to.length === 0) return
      const people = await addresses(
        tx,
        to.map((t) => t.userId),
      )
      const open = `${publicUrl}${event.link}`
      for (const recipient of to) {
        const person = people.get(recipient.userId)
        if (!person) continue
        const message = compose(recipient.userId, category, {
          text: `${event.title}\n\nOpen it: ${open}`,
          html: `<p>${escapeHtml(event.title)}</p><p><a href="${escapeHtml(open)}">Open it in Workroom</a></p>`,
        })
        await mail.enqueue(tx, {
          to: person.email,
          subject: event.title,
          ...message,
          userId: recipient.userId,
          category,
          dedupeKey: `notification:${recipient.notificationId}`,
        })
      }
    },

    async sendDigests(tx) {
      const mail = deps.mail()
      const rows = await pendingDigest(tx, 500)
      if (rows.length === 0) return 0
      const byUser = new Map<string, NotificationRow[]>()
      for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row])
      const people = await addresses(tx, [...byUser.keys()])
      const prefs = await preferencesOf(tx, [...byUser.keys()])
      for (const [userId, items] of byUser) {
        const chosen = new Map(prefs.filter((p) => p.userId === userId).map((p) => [p.category, p.channel]))
        // A category switched away from `digest` since: its waiting notifications are not mailed.
        const still = items.filter(
          (n) => (chosen.get(n.category) ?? DEFAULT_CHANNELS[n.category as NotificationCategory]) === 'digest',
        )
        const person = people.get(userId)
        if (mail && person && still.length) {
          const category = (NOTIFICATION_CATEGORIES as readonly string[]).includes(still[0]!.category)
            ? (still[0]!.category as NotificationCategory)
            : 'messages'
          const categories = [...new Set(still.map((n) => n.category as NotificationCategory))]
          const lines = still.map((n) => `- ${n.title}\n  ${publicUrl}${n.link}`)
          const items = still
            .map((n) => `<li><a href="${escapeHtml(publicUrl + n.link)}">${escapeHtml(n.title)}</a></li>`)
            .join('')
          const message = compose(userId, category, {
            text: `Your Workroom day: ${still.length} notification${still.length === 1 ? '' : 's'}\n\n${lines.join('\n')}`,
            html: `<p>Your Workroom day: ${still.length} notification${still.length === 1 ? '' : 's'}</p><ul>${items}</ul>`,
          })
          // The one-click header names one category; a digest of several turns off them all.
          const url =
            categories.length > 1 && deps.signer()
              ? `${publicUrl}/api/v1/unsubscribe?token=${encodeURIComponent(
                  deps
                    .signer()!
                    .sign(
                      UNSUBSCRIBE_PURPOSE,
                      { u: userId, c: categories.join(',') },
                      new Date(clock.now().getTime() + UNSUBSCRIBE_LINK_DAYS * 86_400_000),
                    ),
                )}`
              : null
          await mail.enqueue(tx, {
            to: person.email,
            subject: `Workroom digest: ${still.length} notification${still.length === 1 ? '' : 's'}`,
            ...message,
            ...(url ? { headers: { ...message.headers, 'List-Unsubscribe': `<${url}>` } } : {}),
            userId,
            category: 'digest',
            dedupeKey: `digest:${userId}:${still[0]!.id}`,
          })
        }
        await markDigested(
          tx,
          items.map((n) => n.id),
          clock.now(),
        )
      }
      return byUser.size
    },

    unsubscribeToken,
    unsubscribeUrl,

    readUnsubscribeToken(token) {
      const signer = deps.signer()
      const payload = signer?.verify<{ u?: unknown; c?: unknown }>(UNSUBSCRIBE_PURPOSE, token) ?? null
      if (!payload || typeof payload.u !== 'string' || typeof payload.c !== 'string') return null
      const categories = payload.c.split(',')
      if (!categories.every((c) => (NOTIFICATION_CATEGORIES as readonly string[]).includes(c))) return null
      return { userId: payload.u, categories: categories as NotificationCategory[] }
    },
  }
}
