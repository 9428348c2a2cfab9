// The payments module's public entry: code outside the module imports only this file.
export { paymentsModule } from './payments.plugin.js'
