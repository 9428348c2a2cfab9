// The contract-state module's public entry: code outside the module imports only this file.
export { contractStateModule } from './contract-state.plugin.js'
