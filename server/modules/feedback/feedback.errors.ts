import { defineErrors } from '../../http/errors.js'

export const feedbackErrors = defineErrors({
  notFound: [404, 'feedback.not_found', 'Feedback not found'],
  contractNotFound: [404, 'feedback.contract_not_found', 'Contract not found'],
  contractNotEnded: [409, 'feedback.contract_not_ended', 'Feedback opens when the contract ends'],
  notEligible: [
    409,
    'feedback.not_eligible',
    'This contract never started (the offer was not accepted), so it takes no feedback',
  ],
  windowClosed: [409, 'feedback.window_closed', 'The feedback window of this contract has closed'],
  alreadyLeft: [409, 'feedback.already_left', 'You already left feedback on this contract; feedback is never edited'],
  wrongRatings: [400, 'feedback.wrong_ratings', 'These are not the ratings for this party'],
  replyNotAllowed: [403, 'feedback.reply_not_allowed', 'Only the rated party may reply'],
  alreadyReplied: [409, 'feedback.already_replied', 'This feedback already has its reply; a reply is never edited'],
  replyWindowClosed: [409, 'feedback.reply_window_closed', 'The time to reply to this feedback has passed'],
})
