import { defineErrors } from '../../http/errors.js'

export const twoFactorErrors = defineErrors({
  alreadyEnabled: [409, 'accounts.two_factor_enabled', 'Two-factor sign-in is already on; turn it off first'],
  notEnrolling: [409, 'accounts.two_factor_not_started', 'Start setting up two-factor sign-in first'],
  notEnabled: [409, 'accounts.two_factor_disabled', 'Two-factor sign-in is not on'],
  badCode: [401, 'accounts.bad_code', 'That code is wrong or was used already'],
  badPassword: [401, 'accounts.bad_credentials', 'Wrong password'],
  challengeEnded: [
    401,
    'accounts.challenge_expired',
    'This sign-in has expired or ended; enter your email and password again',
  ],
  throttled: [429, 'request.rate_limited', 'Too many wrong codes for this account; try again later'],
  sessionNotFound: [404, 'accounts.session_not_found', 'No such session among yours'],
})
