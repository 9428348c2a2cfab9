import type { ProposalView } from './proposals.repository.js'
import type { ProposalDto } from './proposals.schemas.js'

/** A proposal as the API shows it. */
export function toProposalDto(proposal: ProposalView): ProposalDto {
  return {
    id: proposal.id,
    jobId: proposal.jobId,
    jobTitle: proposal.jobTitle,
    workroomId: proposal.workroomId,
    freelancerId: proposal.freelancerId,
    freelancerName: proposal.freelancerName,
    threadId: proposal.threadId,
    state: proposal.state as ProposalDto['state'],
    coverLetter: proposal.coverLetter,
    bidAmount: proposal.bidAmount,
    hourlyRate: proposal.hourlyRate,
    currency: proposal.currency,
    estimatedDays: proposal.estimatedDays,
    milestones: proposal.milestones,
    attachmentFileIds: proposal.attachmentFileIds,
    contractId: proposal.contractId,
    createdAt: proposal.createdAt.toISOString(),
    updatedAt: proposal.updatedAt.toISOString(),
  }
}
