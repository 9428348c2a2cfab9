// The proposals module's public entry: code outside the module imports only this file.
export { proposalsModule } from './proposals.plugin.js'
export { toProposalDto } from './proposals.dto.js'
export { proposalErrors } from './proposals.errors.js'
export { createProposalsRepository, type ProposalRow, type ProposalView } from './proposals.repository.js'
export { ProposalState, type ProposalDto } from './proposals.schemas.js'
export { EDITABLE_PROPOSAL_STATES, loadProposalFor } from './proposals.service.js'
