import { sql } from 'drizzle-orm'
import { check, index, jsonb, pgTable, smallint, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/**
 * The rules an operator changes at runtime (deadlines, fees, defaults), as one row (id 1):
 * `values` holds only the settings an operator has set; the others follow their defaults
 * from the configuration. Locking this row serializes changes.
 */
export const instanceSettingsTable = pgTable(
  'instance_settings',
  {
    id: smallint('id').primaryKey(),
    values: jsonb('values').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [check('instance_settings_one_row', sql`${table.id} = 1`)],
)

/** Every change of a setting: who, when, the value before and after. Never updated or deleted. */
export const settingChangesTable = pgTable(
  'setting_changes',
  {
    id: uuid('id').primaryKey(),
    key: varchar('key', { length: 64 }).notNull(),
    oldValue: jsonb('old_value').notNull(),
    newValue: jsonb('new_value').notNull(),
    changedBy: uuid('changed_by')
      .notNull()
      .references(() => usersTable.id),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    index('setting_changes_changed_idx').on(table.changedAt, table.id),
    index('setting_changes_key_idx').on(table.key, table.changedAt),
  ],
)
