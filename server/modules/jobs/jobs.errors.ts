import { defineErrors } from '../../http/errors.js'

export const jobErrors = defineErrors({
  notFound: [404, 'jobs.not_found', 'Job not found'],
  clientOnly: [403, 'jobs.client_only', 'Only the client of this job may do this'],
  invalidTransition: [409, 'jobs.invalid_transition', 'The job is not in a state that allows this'],
  notEditable: [409, 'jobs.not_editable', 'Only draft and open jobs can be edited'],
  termsLocked: [409, 'jobs.terms_locked', 'The arrangement and currency cannot change once proposals exist'],
  hasContracts: [409, 'jobs.has_contracts', 'This job has offered or running contracts; end them first'],
  deadlinePassed: [409, 'jobs.deadline_passed', 'The proposal deadline has passed; move it before publishing'],
  deadlineInPast: [400, 'jobs.deadline_in_past', 'The proposal deadline must be in the future'],
  rangeRequired: [
    400,
    'jobs.range_required',
    'A fixed-price job needs a minimum and a maximum budget; an hourly job a minimum and a maximum hourly rate',
  ],
  rangeMismatch: [
    400,
    'jobs.range_mismatch',
    'A fixed-price job takes a budget range, an hourly job an hourly rate range, not both',
  ],
  rangeInverted: [400, 'jobs.range_inverted', 'The minimum must not exceed the maximum'],
  notOpen: [409, 'jobs.not_open', 'The job is not open'],
  unknownFreelancer: [400, 'jobs.unknown_freelancer', 'No such freelancer'],
  inviteSelf: [400, 'jobs.invite_self', 'You cannot invite yourself to your own job'],
})
