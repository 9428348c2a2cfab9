import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody } from '../../http/schemas.js'
import { FreelancerPage, FreelancerSearchQuery } from './reputation.schemas.js'
import type { ReputationService } from './reputation.service.js'

export const reputationRoutes: FastifyPluginAsyncTypebox<{ reputation: ReputationService }> = async (
  app,
  { reputation },
) => {
  app.get(
    '/api/v1/freelancers',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['reputation'],
        summary: 'Search freelancers by words in the profile and skills, by reputation or rate',
        description:
          'Accounts with at least one skill or an hourly rate. `sort=reputation` (default): the score of docs/reputation.md, highest first, unrated last; ' +
          '`sort=rate`: lowest hourly rate first, none last (rates are never converted: pass `currency` to compare like with like).',
        querystring: FreelancerSearchQuery,
        response: { 200: FreelancerPage, 400: ErrorBody },
      },
    },
    async (request) => {
      const page = await reputation.search(request.query)
      return {
        items: page.items.map((hit) => ({ ...hit, score: hit.score === null ? null : hit.score / 100 })),
        nextCursor: page.nextCursor,
      }
    },
  )
}
