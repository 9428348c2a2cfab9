import { defineErrors } from '../../http/errors.js'

export const timesheetErrors = defineErrors({
  notFound: [404, 'timesheets.not_found', 'Timesheet not found'],
  disputeNotFound: [404, 'timesheets.dispute_not_found', 'Dispute not found'],
  freelancerOnly: [403, 'timesheets.freelancer_only', "Only the contract's freelancer may do this"],
  clientOnly: [403, 'timesheets.client_only', "Only the contract's client may do this"],
  notOpen: [409, 'timesheets.not_open', 'This week was already submitted'],
  submitClosed: [
    409,
    'timesheets.submit_closed',
    'The submit deadline passed: this week is being submitted automatically',
  ],
  notSubmitted: [
    409,
    'timesheets.not_submitted',
    'Only a submitted timesheet awaiting review can be approved or disputed',
  ],
  reviewClosed: [409, 'timesheets.review_closed', 'The review window of this week is over'],
  tooManyMinutes: [400, 'timesheets.invalid_minutes', 'Dispute between 1 and the billable minutes of the week'],
  disputeClosed: [409, 'timesheets.dispute_resolved', 'This dispute is already resolved'],
  badProposal: [400, 'timesheets.invalid_minutes', 'Propose between 0 and the disputed minutes'],
  alreadyResponded: [409, 'timesheets.already_responded', 'The freelancer already answered this dispute'],
})
