import { defineErrors } from '../../http/errors.js'

export const paymentErrors = defineErrors({
  depositNotFound: [404, 'payments.deposit_not_found', 'Deposit not found'],
  depositNotPending: [409, 'payments.deposit_not_pending', 'This deposit was already confirmed or cancelled'],
  withdrawalNotFound: [404, 'payments.withdrawal_not_found', 'Withdrawal not found'],
  withdrawalNotPending: [409, 'payments.withdrawal_not_pending', 'This withdrawal was already paid or rejected'],
  unknownProvider: [400, 'payments.unknown_provider', 'No such payment provider'],
  insufficientEarnings: [409, 'payments.insufficient_earnings', 'Not enough earnings in this currency'],
})
