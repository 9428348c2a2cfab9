import type { Transaction } from '../../../db/client.js'

/** Every kind of notification, dotted; each belongs to one category (CATEGORY_OF). */
export const NOTIFICATION_TYPES = [
  'invite.received',
  'proposal.shortlisted',
  'proposal.declined',
  'offer.received',
  'offer.accepted',
  'terms.to_accept',
  'milestone.funded',
  'milestone.submitted',
  'milestone.changes_requested',
  'milestone.approved',
  'milestone.released',
  'milestone.refund_requested',
  'milestone.refunded',
  'dispute.opened',
  'dispute.answered',
  'dispute.escalated',
  'dispute.decided',
  'status_report.filed',
  'status_report.missing',
  'timesheet.to_review',
  'timesheet.approved',
  'timesheet.disputed',
  'invoice.issued',
  'withdrawal.paid',
  'feedback.revealed',
  'message.received',
  'deadline.reminder',
  'webhook.disabled',
] as const

export type NotificationType = (typeof NOTIFICATION_TYPES)[number]

export const NOTIFICATION_CATEGORIES = [
  'hiring',
  'terms',
  'money',
  'hourly',
  'disputes',
  'messages',
  'feedback',
  'reminders',
  'account',
] as const

export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number]

/** `in_app`: the list and the bell; `email`: also a mail at once; `digest`: also in the daily digest; `off`: nothing. */
export const NOTIFICATION_CHANNELS = ['in_app', 'email', 'digest', 'off'] as const
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number]

export const CATEGORY_OF: Readonly<Record<NotificationType, NotificationCategory>> = {
  'invite.received': 'hiring',
  'proposal.shortlisted': 'hiring',
  'proposal.declined': 'hiring',
  'offer.received': 'hiring',
  'offer.accepted': 'hiring',
  'terms.to_accept': 'terms',
  'milestone.funded': 'money',
  'milestone.submitted': 'money',
  'milestone.changes_requested': 'money',
  'milestone.approved': 'money',
  'milestone.released': 'money',
  'milestone.refund_requested': 'money',
  'milestone.refunded': 'money',
  'dispute.opened': 'disputes',
  'dispute.answered': 'disputes',
  'dispute.escalated': 'disputes',
  'dispute.decided': 'disputes',
  'status_report.filed': 'terms',
  'status_report.missing': 'terms',
  'timesheet.to_review': 'hourly',
  'timesheet.approved': 'hourly',
  'timesheet.disputed': 'hourly',
  'invoice.issued': 'money',
  'withdrawal.paid': 'money',
  'feedback.revealed': 'feedback',
  'message.received': 'messages',
  'deadline.reminder': 'reminders',
  'webhook.disabled': 'account',
}

/** What a person gets for a category they never chose for (docs/notifications.md). */
export const DEFAULT_CHANNELS: Readonly<Record<NotificationCategory, NotificationChannel>> = {
  hiring: 'email',
  terms: 'email',
  money: 'email',
  hourly: 'email',
  disputes: 'email',
  messages: 'digest',
  feedback: 'digest',
  reminders: 'email',
  account: 'email',
}

/** Categories that cannot be turned off entirely (security of the account). */
export const ALWAYS_ON: ReadonlySet<NotificationCategory> = new Set<NotificationCategory>(['account'])

export function isNotificationType(value: string): value is NotificationType {
  return Object.hasOwn(CATEGORY_OF, value)
}

export interface NotificationInput {
  type: NotificationType
  /** Recipients; duplicates and an empty list are fine. */
  userIds: readonly string[]
  workroomId?: string | null
  contractId?: string | null
  /** The object it is about: `{ kind: 'milestone', id }`. */
  subject: { kind: string; id: string }
  /** One sentence in words: "Acme funded “Design” (US$500.00)". */
  title: string
  /** The web-app path to open: "/contracts/<id>". */
  link: string
  /** Small JSON (amounts as `{ amount: '50000', currency: 'USD' }`). */
  data?: Record<string, unknown>
}

export interface NotifiedEvent extends Omit<NotificationInput, 'userIds'> {
  /** One per notify() call, stable (webhooks use it as the event id). */
  eventId: string
  createdAt: Date
  /** Those who got a notification (a recipient whose preference is `off` is not listed). */
  recipients: { userId: string; notificationId: string }[]
}

export interface NotifyContext {
  afterCommit(fn: () => unknown): void
}

export type NotifiedListener = (event: NotifiedEvent, tx: Transaction) => Promise<void>
