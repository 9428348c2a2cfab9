import { defineErrors } from '../../http/errors.js'

export const workroomErrors = defineErrors({
  /** Also what a non-member gets: a workroom you are not in does not exist for you. */
  notFound: [404, 'workrooms.not_found', 'Workroom not found'],
})
