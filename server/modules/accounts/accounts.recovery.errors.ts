import { defineErrors } from '../../http/errors.js'

export const recoveryErrors = defineErrors({
  invalidToken: [
    400,
    'accounts.invalid_link',
    'This link does not work: it was used already, has expired or is incomplete',
  ],
  wrongPassword: [403, 'accounts.wrong_password', 'Your current password is not right'],
  samePassword: [400, 'accounts.same_password', 'The new password is the one you have now'],
  sameEmail: [400, 'accounts.same_email', 'This is already your email address'],
  alreadyVerified: [409, 'accounts.already_verified', 'Your email address is verified already'],
})
