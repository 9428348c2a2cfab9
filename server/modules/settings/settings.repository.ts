import { and, desc, eq, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { instanceSettingsTable, settingChangesTable, usersTable } from '../../../db/schema/index.js'

export type SettingChangeRow = typeof settingChangesTable.$inferSelect
export type SettingChangeWithAuthor = SettingChangeRow & { changedByName: string }
/** Where a page of the audit log continues: after this change (newest first). */
export interface ChangesCursor {
  at: Date
  id: string
}

/** The one row of stored settings (id 1). */
const ROW = 1

export function createSettingsRepository(db: Executor) {
  return {
    /** What operators have set (only the changed settings). */
    async stored(): Promise<Record<string, unknown>> {
      const [row] = await db
        .select({ values: instanceSettingsTable.values })
        .from(instanceSettingsTable)
        .where(eq(instanceSettingsTable.id, ROW))
      return row?.values ?? {}
    },

    /** The stored settings, row-locked until the transaction ends: changes run one at a time. */
    async lock(now: Date): Promise<Record<string, unknown>> {
      await db.insert(instanceSettingsTable).values({ id: ROW, values: {}, updatedAt: now }).onConflictDoNothing()
      const [row] = await db
        .select()
        .from(instanceSettingsTable)
        .where(eq(instanceSettingsTable.id, ROW))
        .for('no key update')
      return row!.values
    },

    async store(values: Record<string, unknown>, now: Date): Promise<void> {
      await db.update(instanceSettingsTable).set({ values, updatedAt: now }).where(eq(instanceSettingsTable.id, ROW))
    },

    async insertChanges(rows: Array<typeof settingChangesTable.$inferInsert>): Promise<SettingChangeRow[]> {
      return rows.length ? db.insert(settingChangesTable).values(rows).returning() : []
    },

    /** Newest first, with the name of who changed it. */
    async changes(input: {
      key?: string
      cursor: ChangesCursor | null
      limit: number
    }): Promise<SettingChangeWithAuthor[]> {
      const { cursor } = input
      const after = cursor
        ? sql`(${settingChangesTable.changedAt}, ${settingChangesTable.id})
            < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`
        : undefined
      return db
        .select({
          id: settingChangesTable.id,
          key: settingChangesTable.key,
          oldValue: settingChangesTable.oldValue,
          newValue: settingChangesTable.newValue,
          changedBy: settingChangesTable.changedBy,
          changedAt: settingChangesTable.changedAt,
          changedByName: usersTable.name,
        })
        .from(settingChangesTable)
        .innerJoin(usersTable, eq(usersTable.id, settingChangesTable.changedBy))
        .where(and(input.key ? eq(settingChangesTable.key, input.key) : undefined, after))
        .orderBy(desc(settingChangesTable.changedAt), desc(settingChangesTable.id))
        .limit(input.limit)
    },
  }
}
