// The feedback module's public entry: code outside the module imports only this file.
export { feedbackModule } from './feedback.plugin.js'
