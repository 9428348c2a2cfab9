// The messages module's public entry: code outside the module imports only this file.
export { messagesModule } from './messages.plugin.js'
export { createMessagesRepository } from './messages.repository.js'
