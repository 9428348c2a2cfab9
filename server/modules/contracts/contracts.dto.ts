import type { ContractView } from './contracts.repository.js'
import type { ContractDto } from './contracts.schemas.js'
import type { InitialTerms } from './contracts.service.js'

/** A contract as the API shows it. */
export function toContractDto(contract: ContractView): ContractDto {
  return {
    id: contract.id,
    jobId: contract.jobId,
    jobTitle: contract.jobTitle,
    workroomId: contract.workroomId,
    proposalId: contract.proposalId,
    threadId: contract.threadId,
    clientId: contract.clientId,
    freelancerId: contract.freelancerId,
    arrangement: contract.arrangement,
    currency: contract.currency,
    state: contract.state as ContractDto['state'],
    initialTerms: contract.initialTerms as InitialTerms,
    boundTermsVersion: contract.boundTermsVersion,
    price: contract.price,
    hourlyRate: contract.hourlyRate,
    weeklyLimitMinutes: contract.weeklyLimitMinutes,
    manualTimeAllowed: contract.manualTimeAllowed,
    offeredAt: contract.offeredAt.toISOString(),
    offerExpiresAt: contract.offerExpiresAt.toISOString(),
    acceptedAt: contract.acceptedAt?.toISOString() ?? null,
    endedAt: contract.endedAt?.toISOString() ?? null,
    updatedAt: contract.updatedAt.toISOString(),
  }
}
