import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { toContractDto } from './contracts.dto.js'
import { Contract, ContractPage, MyContractsQuery } from './contracts.schemas.js'
import type { ContractAction, ContractsService } from './contracts.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }
const tags = ['contracts']

export const contractsRoutes: FastifyPluginAsyncTypebox<{ contracts: ContractsService }> = async (
  app,
  { contracts },
) => {
  app.post(
    '/api/v1/proposals/:id/hire',
    {
      schema: {
        tags,
        summary: 'Hire a proposal (client): a contract offer with terms drafted from it',
        description: `The contract starts \`offered\`; the freelancer accepts or declines; an offer not accepted by \`offerExpiresAt\` (the operator's \`offerExpiryDays\` after the hire) expires. The hire freezes the offer as terms version 1 (the proposal's milestone plan, or one milestone of the whole bid; hourly: rate, weekly limit, manual time) and is the client's acceptance of it. One contract per proposal; a job may hire several freelancers.`,
        params: IdParams,
        response: { 201: Contract, ...errors },
      },
    },
    async (request, reply) => {
      const contract = await contracts.hire({
        clientId: requireSession(request).user.id,
        proposalId: request.params.id,
      })
      return reply.status(201).send(toContractDto(contract))
    },
  )

  app.get(
    '/api/v1/contracts/:id',
    {
      schema: {
        tags,
        summary: 'One contract (its two parties only)',
        params: IdParams,
        response: { 200: Contract, ...errors },
      },
    },
    async (request) =>
      toContractDto(await contracts.view({ contractId: request.params.id, viewerId: requireSession(request).user.id })),
  )

  app.get(
    '/api/v1/me/contracts',
    {
      schema: {
        tags,
        summary: 'Your contracts as client or freelancer (newest offer first)',
        querystring: MyContractsQuery,
        response: { 200: ContractPage, ...errors },
      },
    },
    async (request) => {
      const page = await contracts.listMine({ userId: requireSession(request).user.id, ...request.query })
      return { items: page.items.map(toContractDto), nextCursor: page.nextCursor }
    },
  )

  const actions: Record<ContractAction, string> = {
    accept:
      "Accept the offer (freelancer): the contract becomes active and the offer's terms version 1 binds (its milestones can be funded at once)",
    decline: 'Decline the offer (freelancer)',
    pause: 'Pause an active contract (client)',
    resume: 'Resume a paused contract (client)',
    end: 'End the contract (either party; the client may also withdraw an unanswered offer). With money in escrow it is `ending` until every hold is settled (see `GET /contracts/{id}/holds`)',
  }
  for (const [action, summary] of Object.entries(actions) as Array<[ContractAction, string]>) {
    app.post(
      `/api/v1/contracts/:id/${action}`,
      { schema: { tags, summary, params: IdParams, response: { 200: Contract, ...errors } } },
      async (request) =>
        toContractDto(
          await contracts.act({ userId: requireSession(request).user.id, contractId: request.params.id, action }),
        ),
    )
  }
}
