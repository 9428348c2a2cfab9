// The disputes module's public entry: code outside the module imports only this file.
export { disputesModule } from './disputes.plugin.js'
