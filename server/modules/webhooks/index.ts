// The webhooks module's public entry: code outside the module imports only this file.
export { webhooksModule } from './webhooks.plugin.js'
export { verifySignature } from './webhooks.signature.js'
export { forbiddenRange } from './webhooks.target.js'
export { retryDelay, RETRY_WINDOW_MS } from './webhooks.dispatcher.js'
