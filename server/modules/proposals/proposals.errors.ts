import { defineErrors } from '../../http/errors.js'

export const proposalErrors = defineErrors({
  notFound: [404, 'proposals.not_found', 'Proposal not found'],
  ownJob: [403, 'proposals.own_job', 'You cannot propose on your own job'],
  inviteRequired: [403, 'proposals.invite_required', 'This job takes proposals by invitation only'],
  deadlinePassed: [409, 'proposals.deadline_passed', 'The proposal deadline has passed'],
  alreadyProposed: [409, 'proposals.already_proposed', 'You already have a live proposal on this job; edit it instead'],
  bidMismatch: [400, 'proposals.bid_mismatch', 'A fixed-price job takes a bid amount, an hourly job an hourly rate'],
  milestonesNotFixed: [400, 'proposals.milestones_not_fixed', 'Milestone plans are for fixed-price jobs'],
  milestonesTotal: [400, 'proposals.milestones_total', 'The milestone amounts must add up to the bid'],
  invalidPlan: [400, 'proposals.invalid_plan', 'The milestone plan is not valid'],
  unknownAttachment: [
    400,
    'proposals.unknown_attachment',
    'Attachments must be files in this workroom that you can see',
  ],
  invalidTransition: [409, 'proposals.invalid_transition', 'The proposal is not in a state that allows this'],
  notEditable: [409, 'proposals.not_editable', 'Only submitted or shortlisted proposals can be edited'],
  clientOnly: [403, 'proposals.client_only', 'Only the client of this job may do this'],
  freelancerOnly: [403, 'proposals.freelancer_only', 'Only the freelancer who made this proposal may do this'],
})
