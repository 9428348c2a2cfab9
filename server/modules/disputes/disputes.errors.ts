import { defineErrors } from '../../http/errors.js'

export const disputeErrors = defineErrors({
  notFound: [404, 'disputes.not_found', 'Dispute not found'],
  forbidden: [403, 'disputes.forbidden', 'Your side of the dispute may not do this'],
  badState: [409, 'disputes.bad_state', 'The dispute is not in a state that allows this'],
  milestoneNotDisputable: [
    409,
    'disputes.milestone_not_disputable',
    'Only a funded or submitted milestone can be disputed',
  ],
  badSplit: [400, 'disputes.bad_split', 'The split must be between 0 and what is held in escrow'],
})
