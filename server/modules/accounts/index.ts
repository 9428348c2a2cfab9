// The accounts module's public entry: code outside the module imports only this file.
export { accountsModule } from './accounts.plugin.js'
export { requireSession } from './accounts.auth.js'
export { createAccountsRepository } from './accounts.repository.js'
export { createAccountsService } from './accounts.service.js'
export { SESSION_CACHE_TTL_MS } from './accounts.session-cache.js'
