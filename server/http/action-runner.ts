import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Transaction } from '../../db/client.js'
import { moneyTransaction } from '../../db/transactions.js'
import { sendOutcome, type IdempotentOutcome } from '../plugins/idempotency.js'

/** How a module answers for its use cases: who acts, what the answer shows, what follows the commit. */
export interface ActionAnswer<Actor extends { id: string }, Outcome> {
  actorOf(request: FastifyRequest): Actor
  /** The response body, read in the same transaction as the change. */
  body(tx: Transaction, outcome: Outcome): Promise<unknown>
  /** Live state and notifications; only after the commit, and only on the first run of a key. */
  afterCommit(outcome: Outcome): Promise<void>
}

export interface ActionOptions<Actor, Outcome> {
  /** Money-moving steps run once per Idempotency-Key (the route declares `IdempotencyHeaders`). */
  idempotent: boolean
  /** 200 unless said otherwise; a function when the outcome decides (202 for a request that waits). */
  statusCode?: number | ((outcome: NoInfer<Outcome>) => number)
  work(tx: Transaction, actor: Actor): Promise<Outcome>
}

/**
 * One state-changing route step: runs the use case in a money transaction (retried on a
 * deadlock), answers with the body read in that transaction, then runs what follows the commit.
 */
export function createActionRunner<Actor extends { id: string }, Outcome>(
  app: FastifyInstance,
  answer: ActionAnswer<Actor, Outcome>,
) {
  return async <O extends Outcome>(
    request: FastifyRequest,
    reply: FastifyReply,
    options: ActionOptions<Actor, O>,
  ): Promise<FastifyReply> => {
    const actor = answer.actorOf(request)
    const run = async (tx: Transaction): Promise<IdempotentOutcome> => {
      const outcome = await options.work(tx, actor)
      const statusCode =
        typeof options.statusCode === 'function' ? options.statusCode(outcome) : (options.statusCode ?? 200)
      return { statusCode, body: await answer.body(tx, outcome), afterCommit: () => answer.afterCommit(outcome) }
    }
    if (options.idempotent) return app.idempotency.run({ request, reply, userId: actor.id, work: run })
    return sendOutcome(request, reply, await moneyTransaction(app.db, run))
  }
}
