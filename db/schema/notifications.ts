import { sql } from 'drizzle-orm'
import { check, index, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/**
 * One notification for one person. Every recipient of one event gets a row with the same
 * `event_id` (the id webhooks deliver). Written in the transaction of the event itself.
 * `digest_pending_at` is set when the recipient's preference for the category was `digest`
 * at that moment; the daily digest mails such rows and sets `digested_at`.
 */
export const notificationsTable = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id),
    eventId: uuid('event_id').notNull(),
    type: varchar('type', { length: 64 }).notNull(),
    category: varchar('category', { length: 16 }).notNull(),
    title: text('title').notNull(),
    link: text('link').notNull(),
    subjectKind: varchar('subject_kind', { length: 32 }).notNull(),
    subjectId: text('subject_id').notNull(),
    workroomId: uuid('workroom_id'),
    contractId: uuid('contract_id'),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }),
    digestPendingAt: timestamp('digest_pending_at', { withTimezone: true, mode: 'date' }),
    digestedAt: timestamp('digested_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    unique('notifications_event_user_key').on(table.eventId, table.userId),
    index('notifications_user_created_idx').on(table.userId, table.createdAt, table.id),
    index('notifications_unread_idx')
      .on(table.userId)
      .where(sql`${table.readAt} is null`),
    index('notifications_digest_idx')
      .on(table.userId)
      .where(sql`${table.digestPendingAt} is not null and ${table.digestedAt} is null`),
  ],
)

/**
 * A person's choice per category: `in_app` (the list and the bell only), `email` (also an
 * email at once), `digest` (also in the daily digest email), `off` (nothing). No row: the
 * category's default (docs/notifications.md).
 */
export const notificationPreferencesTable = pgTable(
  'notification_preferences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id),
    category: varchar('category', { length: 16 }).notNull(),
    channel: varchar('channel', { length: 8 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.category] }),
    check('notification_preferences_channel_check', sql`${table.channel} in ('in_app', 'email', 'digest', 'off')`),
  ],
)
