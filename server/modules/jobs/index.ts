// The jobs module's public entry: code outside the module imports only this file.
export { jobsModule } from './jobs.plugin.js'
export { canSeeJob, loadVisibleJob } from './jobs.access.js'
export { toJobDto } from './jobs.dto.js'
export { jobErrors } from './jobs.errors.js'
export { createJobsRepository, type InviteRow, type JobRow } from './jobs.repository.js'
export { Job } from './jobs.schemas.js'
export { normalizeSkills } from './jobs.service.js'
