import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import type { MilestoneEnding } from './milestones.ending.js'
import { heldOf } from './milestones.money.js'

const Hold = Type.Object({
  milestoneId: Type.String(),
  position: Type.Integer({ description: '0-based position in the terms' }),
  title: Type.String(),
  amount: Type.Integer(),
  held: Type.Integer({ description: 'Still in escrow' }),
  currency: Type.String(),
  state: Type.String({ description: 'funded | submitted | changes_requested | disputed' }),
  rule: Type.Union(
    [Type.Literal('review_window'), Type.Literal('end_window'), Type.Literal('dispute'), Type.Literal('in_progress')],
    {
      description:
        'review_window: submitted work, released automatically at the deadline unless the client acts; ' +
        "end_window: the contract is ending and the work was not submitted: the money returns to the client's wallet at the deadline " +
        'unless a dispute is opened before; dispute: the dispute decides (deadline: the answer due, while open); ' +
        'in_progress: the contract runs, the work is awaited',
    },
  ),
  deadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the rule moves the money; null when nothing happens by itself',
  }),
  disputeId: Type.Union([Type.String(), Type.Null()]),
})

const Holds = Type.Object({
  contractId: Type.String(),
  contractState: Type.String(),
  items: Type.Array(Hold),
})

export const holdsRoutes: FastifyPluginAsyncTypebox<{ ending: MilestoneEnding }> = async (app, { ending }) => {
  app.get(
    '/api/v1/contracts/:id/holds',
    {
      schema: {
        tags: ['milestones'],
        summary: "The contract's money in escrow: each open milestone with the rule that will move it and the deadline",
        description:
          'An `ending` contract becomes `ended` when this list is empty (docs/contract-lifecycle.md, "Ending a contract").',
        params: IdParams,
        response: { 200: Holds, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { user } = requireSession(request)
      const { contract, holds } = await ending.holds(app.db, {
        contractId: request.params.id,
        actor: { id: user.id, role: user.role },
      })
      return {
        contractId: contract.id,
        contractState: contract.state,
        items: holds.map(({ milestone, rule, deadline, disputeId }) => ({
          milestoneId: milestone.id,
          position: milestone.position,
          title: milestone.title,
          amount: Number(milestone.amount),
          held: Number(heldOf(milestone)),
          currency: milestone.currency,
          state: milestone.state,
          rule,
          deadline: deadline?.toISOString() ?? null,
          disputeId,
        })),
      }
    },
  )
}
