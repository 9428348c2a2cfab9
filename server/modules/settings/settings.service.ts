import { Value } from 'typebox/value'
import type { Database, Executor } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { aboutField } from '../../http/validation-errors.js'
import { settingsErrors } from './settings.errors.js'
import { createSettingsRepository, type ChangesCursor, type SettingChangeWithAuthor } from './settings.repository.js'
import { isSettingKey, settingKeys, SettingsSchema, type SettingItemDto, type Settings } from './settings.schemas.js'

/**
 * The operator's settings. Every read goes to the database (one small row), in the caller's
 * transaction when it creates a deadline: several instances share the database, so a change
 * applies everywhere at once with no cache to invalidate, and a deadline is computed from
 * the settings committed when it is created.
 */
export function createSettingsService(deps: { db: Database; clock: Clock; ids: IdGenerator; defaults: Settings }) {
  const { db, clock, ids, defaults } = deps

  /** Defaults overlaid with what operators set; a stored value outside today's bounds falls back to the default. */
  function effective(stored: Record<string, unknown>): Settings {
    const values: Record<string, unknown> = { ...defaults }
    for (const key of settingKeys) {
      const value = stored[key]
      if (value !== undefined && Value.Check(SettingsSchema.properties[key], value)) values[key] = value
    }
    return Object.freeze(values as Settings)
  }

  function checked(changes: Record<string, unknown>): Partial<Settings> {
    for (const [key, value] of Object.entries(changes)) {
      if (!isSettingKey(key)) throw settingsErrors.unknown(`“${key}” is not a setting`, { field: key })
      const { minimum, maximum } = SettingsSchema.properties[key]
      if (!Number.isInteger(value) || (value as number) < minimum || (value as number) > maximum) {
        throw settingsErrors.outOfBounds(
          ...aboutField(key, `must be a whole number from ${minimum} to ${maximum}`, { minimum, maximum }),
        )
      }
    }
    return changes as Partial<Settings>
  }

  return {
    defaults,

    /** The settings in force. Pass the transaction that creates a deadline, so it reads what that transaction sees. */
    async getSettings(executor: Executor = db): Promise<Settings> {
      return effective(await createSettingsRepository(executor).stored())
    },

    /** Each setting with its value, default, bounds and meaning (the operator's screen). */
    describe(values: Settings): SettingItemDto[] {
      return settingKeys.map((key) => {
        const { minimum, maximum, unit, description } = SettingsSchema.properties[key]
        return { key, value: values[key], default: defaults[key], minimum, maximum, unit, description }
      })
    },

    /**
     * Sets the given values. A value equal to the one in force changes nothing and is not
     * logged, so repeating a request is harmless; each real change is one audit entry.
     */
    async update(input: { actor: { id: string; name: string }; changes: Record<string, unknown> }) {
      const wanted = checked(input.changes)
      return db.transaction(async (tx) => {
        const repository = createSettingsRepository(tx)
        const now = clock.now()
        const stored = await repository.lock(now)
        const before = effective(stored)
        const keys = settingKeys.filter((key) => wanted[key] !== undefined && wanted[key] !== before[key])
        if (keys.length === 0) return { settings: before, changes: [] as SettingChangeWithAuthor[] }
        const next = { ...stored, ...Object.fromEntries(keys.map((key) => [key, wanted[key]])) }
        await repository.store(next, now)
        const rows = await repository.insertChanges(
          keys.map((key) => ({
            id: ids.newId(),
            key,
            oldValue: before[key],
            newValue: wanted[key],
            changedBy: input.actor.id,
            changedAt: now,
          })),
        )
        return { settings: effective(next), changes: rows.map((row) => ({ ...row, changedByName: input.actor.name })) }
      })
    },

    /** The audit log, newest first. */
    async changes(input: {
      key?: string
      cursor: ChangesCursor | null
      limit: number
    }): Promise<SettingChangeWithAuthor[]> {
      return createSettingsRepository(db).changes(input)
    },
  }
}

export type SettingsService = ReturnType<typeof createSettingsService>
/** What a module that computes a deadline or a fee needs. */
export type SettingsReader = Pick<SettingsService, 'getSettings'>
