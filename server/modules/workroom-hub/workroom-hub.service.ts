import type { Database } from '../../../db/client.js'
import { httpErrors } from '../../http/errors.js'
import { createContractsRepository, type ContractView } from '../contracts/index.js'
import { createJobsRepository, type InviteRow, type JobRow } from '../jobs/index.js'
import { createProposalsRepository, type ProposalView } from '../proposals/index.js'
import { createWorkroomsRepository, getMembership } from '../workrooms/index.js'

const OVERVIEW_LIMIT = 100

export interface WorkroomOverview {
  id: string
  role: 'client' | 'freelancer'
  job: JobRow
  threadId: string | null
  invites: InviteRow[]
  proposals: ProposalView[]
  proposalCount: number
  contracts: ContractView[]
}

/** The workroom hub as one member sees it: all of it for the client, their own part for a freelancer. */
export function createWorkroomHubService(deps: { db: Database }) {
  const { db } = deps
  return {
    async overview(input: { workroomId: string; viewerId: string }): Promise<WorkroomOverview> {
      const membership = await getMembership(db, input.workroomId, input.viewerId)
      const jobs = createJobsRepository(db)
      const job = membership ? await jobs.findByWorkroom(input.workroomId) : null
      if (!membership || !job) throw httpErrors.notFound('Workroom not found')
      const only = membership.role === 'freelancer' ? membership.freelancerId : undefined
      const [invites, proposals, contracts, thread] = await Promise.all([
        jobs.listInvites(job.id, only),
        createProposalsRepository(db).list({
          jobId: job.id,
          freelancerId: only,
          after: null,
          limit: OVERVIEW_LIMIT + 1,
        }),
        createContractsRepository(db).list({
          workroomId: job.workroomId,
          freelancerId: only,
          after: null,
          limit: 1000,
        }),
        only ? createWorkroomsRepository(db).findThreadId(job.workroomId, only) : Promise.resolve(null),
      ])
      const proposalCount = proposals.length > OVERVIEW_LIMIT ? await jobs.countProposals(job.id) : proposals.length
      return {
        id: job.workroomId,
        role: membership.role,
        job,
        threadId: thread,
        invites,
        proposals: proposals.slice(0, OVERVIEW_LIMIT),
        proposalCount,
        contracts,
      }
    },
  }
}

export type WorkroomHubService = ReturnType<typeof createWorkroomHubService>
