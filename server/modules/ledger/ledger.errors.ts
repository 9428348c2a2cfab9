import { defineErrors } from '../../http/errors.js'

export const ledgerErrors = defineErrors({
  insufficientFunds: [409, 'ledger.insufficient_funds', 'Not enough money in the account'],
  limitExceeded: [409, 'ledger.limit_exceeded', 'The balance would pass the largest amount the ledger holds'],
})
