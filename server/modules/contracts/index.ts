// The contracts module's public entry: code outside the module imports only this file.
export { contractsModule } from './contracts.plugin.js'
export { toContractDto } from './contracts.dto.js'
export { contractParties, noticeDeadline, noticeMoney, type ContractParties } from './contracts.parties.js'
export { createContractsRepository, type ContractRow, type ContractView } from './contracts.repository.js'
export { Contract } from './contracts.schemas.js'
export type { ContractsService, ContractStateChange, OpenHold } from './contracts.service.js'
