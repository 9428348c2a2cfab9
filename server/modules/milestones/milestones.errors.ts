import { defineErrors } from '../../http/errors.js'

export const milestoneErrors = defineErrors({
  notFound: [404, 'milestones.not_found', 'Milestone not found'],
  contractNotFound: [404, 'milestones.contract_not_found', 'Contract not found'],
  forbidden: [403, 'milestones.forbidden', 'Your side of the contract may not do this'],
  badState: [409, 'milestones.bad_state', 'The milestone is not in a state that allows this'],
  contractNotActive: [409, 'milestones.contract_not_active', 'The contract is not active'],
  amountExceedsHold: [409, 'milestones.amount_exceeds_hold', 'More than what is left in escrow for this milestone'],
  fileNotFound: [400, 'milestones.file_not_found', 'A file is not in this workroom or not visible to both parties'],
})
