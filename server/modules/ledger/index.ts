// The ledger module's public entry: code outside the module imports only this file.
export { ledgerModule } from './ledger.plugin.js'
export { AmountSchema, MAX_AMOUNT, MoneySchema, platformFee, sqlBigint, toJsonAmount } from './ledger.amounts.js'
export { ledgerErrors } from './ledger.errors.js'
export { accountKey } from './ledger.repository.js'
export { accounts, createLedgerService, type LedgerService } from './ledger.service.js'
