import { defineErrors } from '../../http/errors.js'

export const settingsErrors = defineErrors({
  unknown: [400, 'settings.unknown', 'No such setting'],
  outOfBounds: [400, 'settings.out_of_bounds', 'The value is outside the setting’s bounds'],
})
