import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@fastify/type-provider-typebox'
import { parseTimeIdCursor, timeIdCursor } from '../../http/page-cursor.js'
import { ErrorBody } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import type { SettingChangeWithAuthor } from './settings.repository.js'
import {
  ChangesQuery,
  SettingChange,
  SettingsChanged,
  SettingsPatch,
  SettingsView,
  type SettingChangeDto,
} from './settings.schemas.js'
import type { SettingsService } from './settings.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody }
const operatorOnly = { auth: 'operator' } as const

const toChange = (row: SettingChangeWithAuthor): SettingChangeDto => ({
  id: row.id,
  key: row.key,
  oldValue: row.oldValue as number,
  newValue: row.newValue as number,
  changedBy: { id: row.changedBy, name: row.changedByName },
  changedAt: row.changedAt.toISOString(),
})

export const settingsRoutes: FastifyPluginAsyncTypebox<{ settings: SettingsService }> = async (app, { settings }) => {
  app.get(
    '/api/v1/admin/settings',
    {
      config: operatorOnly,
      schema: {
        tags: ['operators'],
        summary: 'The deadlines, fees and defaults in force, each with its default, bounds and meaning (operators)',
        response: { 200: SettingsView, ...errors },
      },
    },
    async () => {
      const values = await settings.getSettings()
      return { values, items: settings.describe(values) }
    },
  )

  app.patch(
    '/api/v1/admin/settings',
    {
      config: operatorOnly,
      schema: {
        tags: ['operators'],
        summary: 'Change settings (operators): applies to deadlines created from now on; set ones keep their dates',
        description:
          'Send only the settings to change. A value outside its bounds answers 400 naming the setting (`field`). ' +
          'Setting a value already in force changes nothing and logs nothing, so a repeated request is harmless.',
        body: SettingsPatch,
        response: { 200: SettingsChanged, ...errors },
      },
    },
    async (request) => {
      const { user } = requireSession(request)
      const result = await settings.update({ actor: { id: user.id, name: user.name }, changes: request.body })
      return {
        values: result.settings,
        items: settings.describe(result.settings),
        changes: result.changes.map(toChange),
      }
    },
  )

  app.get(
    '/api/v1/admin/settings/changes',
    {
      config: operatorOnly,
      schema: {
        tags: ['operators'],
        summary: 'Every change of a setting, newest first: who, when, old and new value (operators); `?key=` filters',
        querystring: ChangesQuery,
        response: {
          200: Type.Object({ items: Type.Array(SettingChange), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50
      const cursor = request.query.cursor ? parseTimeIdCursor(request.query.cursor) : null
      const rows = await settings.changes({
        ...(request.query.key ? { key: request.query.key } : {}),
        cursor,
        limit: limit + 1,
      })
      const items = rows.slice(0, limit)
      const last = items.at(-1)
      return {
        items: items.map(toChange),
        nextCursor: rows.length > limit && last ? timeIdCursor(last.changedAt, last.id) : null,
      }
    },
  )
}
