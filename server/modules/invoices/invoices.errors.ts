import { defineErrors } from '../../http/errors.js'

export const invoiceErrors = defineErrors({
  notFound: [404, 'invoices.not_found', 'Invoice not found'],
  notVoidable: [409, 'invoices.not_voidable', 'Only a formal or paid invoice can be voided, once'],
  badState: [409, 'invoices.bad_state', 'The invoice is not in a state that allows this'],
  badFilter: [400, 'invoices.bad_filter', 'This filter is not valid'],
})
