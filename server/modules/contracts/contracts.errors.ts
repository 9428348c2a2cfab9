import { defineErrors } from '../../http/errors.js'

export const contractErrors = defineErrors({
  notFound: [404, 'contracts.not_found', 'Contract not found'],
  alreadyHired: [409, 'contracts.already_hired', 'This proposal was already hired; its contract exists'],
  invalidTransition: [409, 'contracts.invalid_transition', 'The contract is not in a state that allows this'],
  offerExpired: [409, 'contracts.offer_expired', 'This offer has expired'],
  clientOnly: [403, 'contracts.client_only', 'Only the client may do this'],
  freelancerOnly: [403, 'contracts.freelancer_only', 'Only the hired freelancer may do this'],
})
