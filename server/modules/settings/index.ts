// The settings module's public entry: other modules import only from here.
export { settingsModule } from './settings.plugin.js'
export { settingsDefaults, SettingsSchema, type SettingKey, type Settings } from './settings.schemas.js'
export type { SettingsReader, SettingsService } from './settings.service.js'
