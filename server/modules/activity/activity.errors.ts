import { defineErrors } from '../../http/errors.js'

export const activityErrors = defineErrors({
  workroomNotFound: [404, 'workrooms.not_found', 'Workroom not found'],
})
