import { defineErrors } from '../../http/errors.js'

export const accountErrors = defineErrors({
  emailTaken: [409, 'accounts.email_taken', 'An account with this email already exists'],
  badCredentials: [401, 'accounts.bad_credentials', 'Wrong email or password'],
  throttled: [429, 'request.rate_limited', 'Too many failed sign-ins for this email; try again later'],
  invalidTimeZone: [400, 'accounts.invalid_time_zone', 'Unknown time zone'],
  invalidLink: [400, 'accounts.invalid_link', 'A portfolio link must be an http:// or https:// address'],
  userNotFound: [404, 'accounts.user_not_found', 'User not found'],
})
