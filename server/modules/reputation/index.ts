// The reputation module's public entry: code outside the module imports only this file.
export { reputationModule } from './reputation.plugin.js'
export { Reputation } from './reputation.schemas.js'
