import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { toProposalDto } from './proposals.dto.js'
import {
  Proposal,
  ProposalListQuery,
  ProposalPage,
  SubmitProposalBody,
  UpdateProposalBody,
} from './proposals.schemas.js'
import type { ProposalAction, ProposalsService } from './proposals.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }
const tags = ['proposals']

export const proposalsRoutes: FastifyPluginAsyncTypebox<{ proposals: ProposalsService }> = async (
  app,
  { proposals },
) => {
  app.post(
    '/api/v1/jobs/:id/proposals',
    {
      schema: {
        tags,
        summary: 'Propose on an open job (opens your private thread with the client)',
        description:
          'Fixed-price jobs take `bidAmount` (and optionally a milestone plan adding up to it), hourly jobs `hourlyRate`. One live proposal per freelancer per job; not after the proposal deadline; invite-only jobs need an invite.',
        params: IdParams,
        body: SubmitProposalBody,
        response: { 201: Proposal, ...errors },
      },
    },
    async (request, reply) => {
      const proposal = await proposals.submit({
        freelancerId: requireSession(request).user.id,
        jobId: request.params.id,
        proposal: request.body,
      })
      return reply.status(201).send(toProposalDto(proposal))
    },
  )

  app.get(
    '/api/v1/jobs/:id/proposals',
    {
      schema: {
        tags,
        summary: "A job's proposals: the client sees all, a freelancer only their own (newest first)",
        params: IdParams,
        querystring: ProposalListQuery,
        response: { 200: ProposalPage, ...errors },
      },
    },
    async (request) => {
      const page = await proposals.listForJob({
        viewerId: requireSession(request).user.id,
        jobId: request.params.id,
        ...request.query,
      })
      return { items: page.items.map(toProposalDto), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/api/v1/me/proposals',
    {
      schema: {
        tags,
        summary: 'Your own proposals on every job (newest first)',
        querystring: ProposalListQuery,
        response: { 200: ProposalPage, ...errors },
      },
    },
    async (request) => {
      const page = await proposals.listMine({ freelancerId: requireSession(request).user.id, ...request.query })
      return { items: page.items.map(toProposalDto), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/api/v1/proposals/:id',
    {
      schema: {
        tags,
        summary: 'One proposal (its freelancer and the client only)',
        params: IdParams,
        response: { 200: Proposal, ...errors },
      },
    },
    async (request) =>
      toProposalDto(await proposals.get({ proposalId: request.params.id, viewerId: requireSession(request).user.id })),
  )

  app.patch(
    '/api/v1/proposals/:id',
    {
      schema: {
        tags,
        summary: 'Edit your proposal (until hired; not after the deadline or once the job is not open)',
        params: IdParams,
        body: UpdateProposalBody,
        response: { 200: Proposal, ...errors },
      },
    },
    async (request) =>
      toProposalDto(
        await proposals.update({
          freelancerId: requireSession(request).user.id,
          proposalId: request.params.id,
          patch: request.body,
        }),
      ),
  )

  const actions: Record<ProposalAction, string> = {
    shortlist: 'Shortlist a submitted proposal (client)',
    decline: 'Decline a proposal (client)',
    withdraw: 'Withdraw your proposal (freelancer)',
  }
  for (const [action, summary] of Object.entries(actions) as Array<[ProposalAction, string]>) {
    app.post(
      `/api/v1/proposals/:id/${action}`,
      { schema: { tags, summary, params: IdParams, response: { 200: Proposal, ...errors } } },
      async (request) =>
        toProposalDto(
          await proposals.act({ userId: requireSession(request).user.id, proposalId: request.params.id, action }),
        ),
    )
  }
}
