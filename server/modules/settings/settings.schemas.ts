import { Type, type Static, type TInteger } from '@fastify/type-provider-typebox'
import type { Config } from '../../config.js'

/** How a setting's number reads (the web screen labels its field with it). */
export type SettingUnit = 'days' | 'hours' | 'hour' | 'weekday' | 'bps'

interface SettingOptions {
  unit: SettingUnit
  minimum: number
  maximum: number
  description: string
}

const setting = (unit: SettingUnit, minimum: number, maximum: number, description: string) =>
  Type.Integer({ minimum, maximum, description, unit }) as TInteger & SettingOptions

/**
 * The rules an operator changes at runtime, with their bounds. A change applies to deadlines
 * created after it; a deadline already set keeps its date (docs/settings.md). Days that the
 * configuration also sets keep the configuration's bounds, so every accepted environment
 * value is a valid default.
 */
export const SettingsSchema = Type.Object({
  platformFeeBps: setting(
    'bps',
    0,
    5000,
    'Platform fee taken from each release and each paid hourly invoice, in basis points (1000 = 10 %).',
  ),
  autoReleaseDays: setting(
    'days',
    1,
    365,
    'A submitted milestone is released this many days after the submission unless the client approves, ' +
      'asks for changes or disputes.',
  ),
  disputeResponseDays: setting(
    'days',
    1,
    365,
    'Days the other side of a milestone dispute has to answer; no answer resolves it for the party who opened it.',
  ),
  statusReportDueWeekday: setting(
    'weekday',
    0,
    6,
    'A week’s status report (weeks run Monday to Sunday, UTC) is due on this weekday after the week ' +
      '(0 = Sunday, 1 = Monday … 6 = Saturday); a week without one is flagged missing then.',
  ),
  statusReportDueHour: setting(
    'hour',
    0,
    23,
    'The hour (UTC) of that weekday at which a missing status report is flagged.',
  ),
  offerExpiryDays: setting(
    'days',
    1,
    365,
    'Days a contract offer waits for the freelancer to accept before it expires.',
  ),
  endWindowDays: setting(
    'days',
    1,
    90,
    'When a contract ends with funded work not submitted, the money returns to the client after this many days ' +
      'unless the freelancer opens a dispute before.',
  ),
  defaultWeeklyLimitHours: setting(
    'hours',
    1,
    168,
    'Weekly limit of a new hourly contract until the parties agree on another in the terms.',
  ),
  timesheetSubmitHour: setting(
    'hour',
    0,
    23,
    'Until this hour (UTC) of the Monday after a week the freelancer may adjust and submit it; ' +
      'then it is submitted automatically.',
  ),
  timesheetReviewDays: setting(
    'days',
    1,
    14,
    'Days after a week ends (Sunday 24:00 UTC) the client has to approve or dispute its timesheet; ' +
      '5 = until Friday 23:59 UTC. No action by then approves it.',
  ),
  timesheetDisputeResponseDays: setting(
    'days',
    1,
    90,
    'Days the freelancer has to answer a dispute of hours; no answer leaves the disputed minutes unpaid.',
  ),
  feedbackWindowDays: setting(
    'days',
    1,
    365,
    'Days after a contract ends during which each party may leave feedback; what was left is revealed when the ' +
      'window closes.',
  ),
})

export type Settings = Static<typeof SettingsSchema>
export type SettingKey = keyof Settings

export const settingKeys = Object.keys(SettingsSchema.properties) as SettingKey[]

export const isSettingKey = (key: string): key is SettingKey => Object.hasOwn(SettingsSchema.properties, key)

/**
 * The defaults: the configuration's values where it has the setting (so `AUTO_RELEASE_DAYS`
 * and the others still set the starting point), the product's rules for the others.
 */
export function settingsDefaults(
  config: Pick<
    Config,
    'platformFeeBps' | 'autoReleaseDays' | 'disputeResponseDays' | 'offerExpiryDays' | 'feedbackWindowDays'
  >,
): Settings {
  return Object.freeze({
    platformFeeBps: config.platformFeeBps,
    autoReleaseDays: config.autoReleaseDays,
    disputeResponseDays: config.disputeResponseDays,
    statusReportDueWeekday: 1,
    statusReportDueHour: 0,
    offerExpiryDays: config.offerExpiryDays,
    endWindowDays: 14,
    defaultWeeklyLimitHours: 40,
    timesheetSubmitHour: 12,
    timesheetReviewDays: 5,
    timesheetDisputeResponseDays: 3,
    feedbackWindowDays: config.feedbackWindowDays,
  })
}

/** A PATCH: any of the settings, each within its bounds; unknown names are refused. */
export const SettingsPatch = Type.Partial(SettingsSchema, { additionalProperties: false, minProperties: 1 })

export const SettingItem = Type.Object({
  key: Type.String(),
  value: Type.Integer(),
  default: Type.Integer({ description: 'What applies when no operator set it (from the configuration)' }),
  minimum: Type.Integer(),
  maximum: Type.Integer(),
  unit: Type.String({ description: 'days, hours, hour (0-23, UTC), weekday (0 = Sunday) or bps' }),
  description: Type.String(),
})

export const SettingChange = Type.Object({
  id: Type.String(),
  key: Type.String(),
  oldValue: Type.Integer(),
  newValue: Type.Integer(),
  changedBy: Type.Object({ id: Type.String(), name: Type.String() }),
  changedAt: Type.String({ format: 'date-time' }),
})

export const SettingsView = Type.Object({
  values: Type.Object(SettingsSchema.properties),
  items: Type.Array(SettingItem),
})

export const SettingsChanged = Type.Object({
  values: Type.Object(SettingsSchema.properties),
  items: Type.Array(SettingItem),
  changes: Type.Array(SettingChange, {
    description: 'What this request changed; empty when every value was already so',
  }),
})

export const ChangesQuery = Type.Object({
  key: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
})

export type SettingChangeDto = Static<typeof SettingChange>
export type SettingItemDto = Static<typeof SettingItem>
