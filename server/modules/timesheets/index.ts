// The timesheets module's public entry: code outside the module imports only this file.
export { timesheetsModule } from './timesheets.plugin.js'
