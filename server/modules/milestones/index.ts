// The milestones module's public entry: code outside the module imports only this file.
export { milestonesModule } from './milestones.plugin.js'
export { roleIn, type Actor } from './milestones.access.js'
export { milestoneErrors } from './milestones.errors.js'
export { heldOf, refundFromHold, releaseFromHold, type EscrowDeps } from './milestones.money.js'
export { createMilestonesRepository, type ContractRow, type MilestoneRow } from './milestones.repository.js'
export { emptyBodyIsObject } from './milestones.schemas.js'
export { AUTO_RELEASE_KIND, type MilestonesService } from './milestones.service.js'
export { createMilestonesFromTerms } from './milestones.terms.js'
