// The activity module's public entry: code outside the module imports only this file.
export { activityModule } from './activity.plugin.js'
export { toActivityDto } from './activity.dto.js'
export { createActivityRepository, type ActivityRow } from './activity.repository.js'
export { appendActivities, appendActivitiesAcross, appendActivity } from './activity.service.js'
export { verifyChain } from './activity.verify.js'
