import { defineErrors } from '../../http/errors.js'

export const termsErrors = defineErrors({
  contractNotFound: [404, 'terms.contract_not_found', 'Contract not found'],
  versionNotFound: [404, 'terms.version_not_found', 'No such terms version'],
  invalid: [400, 'terms.invalid', 'The draft terms are not valid'],
  contractClosed: [409, 'terms.contract_closed', 'The contract is over; its terms can no longer change'],
  staleHash: [
    409,
    'terms.stale_hash',
    'These are not the terms of that version (the hash differs): reload and review them',
  ],
  superseded: [409, 'terms.superseded', 'A newer version was proposed since; review and accept that one'],
  ownProposal: [409, 'terms.own_proposal', 'You proposed this version; the other party accepts it'],
  alreadyBound: [409, 'terms.already_bound', 'This version already binds'],
})
