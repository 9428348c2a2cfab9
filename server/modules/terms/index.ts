// The terms module's public entry: code outside the module imports only this file.
export { termsModule } from './terms.plugin.js'
