// The status-reports module's public entry: code outside the module imports only this file.
export { statusReportsModule } from './status-reports.plugin.js'
