import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { toContractDto } from '../contracts/index.js'
import { toJobDto } from '../jobs/index.js'
import type { ProposalDto } from '../proposals/index.js'
import { Workroom } from './workroom-hub.schemas.js'
import type { WorkroomHubService } from './workroom-hub.service.js'

export const workroomHubRoutes: FastifyPluginAsyncTypebox<{ hub: WorkroomHubService }> = async (app, { hub }) => {
  app.get(
    '/api/v1/workrooms/:id',
    {
      schema: {
        tags: ['workrooms'],
        summary: 'The workroom hub: the job, proposals, invites and contracts you may see',
        description:
          'The client sees every proposal, invite and contract; a freelancer member only their own; anyone else 404.',
        params: IdParams,
        response: { 200: Workroom, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const room = await hub.overview({ workroomId: request.params.id, viewerId: requireSession(request).user.id })
      return {
        id: room.id,
        role: room.role,
        job: toJobDto(room.job),
        threadId: room.threadId,
        invites: room.invites.map((i) => ({ freelancerId: i.freelancerId, createdAt: i.createdAt.toISOString() })),
        proposals: room.proposals.map((p) => ({
          id: p.id,
          freelancerId: p.freelancerId,
          freelancerName: p.freelancerName,
          threadId: p.threadId,
          state: p.state as ProposalDto['state'],
          bidAmount: p.bidAmount,
          hourlyRate: p.hourlyRate,
          currency: p.currency,
          estimatedDays: p.estimatedDays,
          contractId: p.contractId,
          createdAt: p.createdAt.toISOString(),
          updatedAt: p.updatedAt.toISOString(),
        })),
        proposalCount: room.proposalCount,
        contracts: room.contracts.map(toContractDto),
      }
    },
  )
}
