import { index, pgTable, primaryKey, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/**
 * Who holds an open event stream, per server instance: a row while a user has at least one
 * event socket on that instance, refreshed on every keepalive round and deleted when the last
 * one closes. A row whose `seen_until` passed belongs to an instance that died: it counts as
 * gone. "Offline" (a message then notifies) is: no live row on any other instance and no
 * socket on this one.
 */
export const eventStreamPresenceTable = pgTable(
  'event_stream_presence',
  {
    instanceId: varchar('instance_id', { length: 64 }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    seenUntil: timestamp('seen_until', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.instanceId, table.userId] }),
    index('event_stream_presence_user_idx').on(table.userId),
  ],
)
