import type { Transaction } from '../../../db/client.js'
import { contractParties, noticeDeadline, type ContractParties } from '../contracts/index.js'
import type { NotificationsService, NotificationType } from '../notifications/index.js'
import type { Actor } from '../milestones/index.js'
import { createDisputesRepository, type DisputeRow } from './disputes.repository.js'
import type { DisputeOutcome, DisputesService } from './disputes.service.js'

/**
 * The disputes service with its notifications (docs/notifications.md), each written in the
 * step's own transaction right after the step: the other party of the one who acted (both
 * parties after an operator's decision or a lapse), and every operator once a dispute is
 * escalated to them.
 */
export function withDisputeNotices(
  service: DisputesService,
  notifications: Pick<NotificationsService, 'notify'>,
): DisputesService {
  async function send(
    tx: Transaction,
    outcome: DisputeOutcome,
    type: NotificationType,
    to: (about: ContractParties) => string[],
    title: (about: ContractParties, named: string) => string,
    link?: string,
  ) {
    const { dispute, milestone } = outcome
    const about = await contractParties(tx, outcome.contract.id)
    if (!about) return
    await notifications.notify(tx, {
      type,
      userIds: to(about),
      workroomId: about.workroomId,
      contractId: about.contractId,
      subject: { kind: 'dispute', id: dispute.id },
      title: title(about, `“${milestone.title}” on “${about.jobTitle}”`),
      link: link ?? about.link,
      data: { disputeId: dispute.id, milestoneId: milestone.id, state: dispute.state },
    })
  }

  /** "$X to Fred, $Y back to Cleo" for a resolved dispute. */
  const split = (about: ContractParties, dispute: DisputeRow) => {
    const toFreelancer = dispute.freelancerAmount ?? 0n
    return `${about.money(toFreelancer)} to ${about.freelancerName}, ${about.money(dispute.heldAmount - toFreelancer)} back to ${about.clientName}`
  }

  /** A step that may have resolved the dispute (equal splits): then it says how the money moved. */
  const answeredOrSettled = (tx: Transaction, outcome: DisputeOutcome, actor: Actor, proposal?: bigint) =>
    outcome.dispute.state === 'resolved'
      ? send(
          tx,
          outcome,
          'dispute.decided',
          (a) => a.othersOf(actor.id),
          (a, named) => `The dispute on ${named} is settled: ${split(a, outcome.dispute)}`,
        )
      : send(
          tx,
          outcome,
          'dispute.answered',
          (a) => a.othersOf(actor.id),
          (a, named) =>
            proposal === undefined
              ? `${a.nameOf(actor.id)} answered the dispute on ${named}`
              : `${a.nameOf(actor.id)} proposes to settle the dispute on ${named}: ${a.money(proposal)} to the freelancer`,
        )

  return {
    ...service,

    async open(tx, input) {
      const outcome = await service.open(tx, input)
      const { dispute } = outcome
      await send(
        tx,
        outcome,
        'dispute.opened',
        (a) => a.othersOf(input.actor.id),
        (a, named) =>
          `${a.nameOf(input.actor.id)} opened a dispute on ${named} (${a.money(dispute.heldAmount)} held): answer by ${noticeDeadline(dispute.responseDueAt)}, or it resolves for them`,
      )
      return outcome
    },

    async respond(tx, input) {
      const outcome = await service.respond(tx, input)
      await answeredOrSettled(tx, outcome, input.actor, input.freelancerAmount)
      return outcome
    },

    async settle(tx, input) {
      const outcome = await service.settle(tx, input)
      await answeredOrSettled(tx, outcome, input.actor, input.freelancerAmount)
      return outcome
    },

    async escalate(tx, input) {
      const outcome = await service.escalate(tx, input)
      const escalated = (a: ContractParties, named: string) =>
        `${a.nameOf(input.actor.id)} escalated the dispute on ${named} to an operator`
      await send(tx, outcome, 'dispute.escalated', (a) => a.othersOf(input.actor.id), escalated)
      const operators = await createDisputesRepository(tx).operatorIds()
      await send(tx, outcome, 'dispute.escalated', () => operators, escalated, '/operator')
      return outcome
    },

    async decide(tx, input) {
      const outcome = await service.decide(tx, input)
      await send(
        tx,
        outcome,
        'dispute.decided',
        (a) => [a.clientId, a.freelancerId],
        (a, named) => `An operator decided the dispute on ${named}: ${split(a, outcome.dispute)}`,
      )
      return outcome
    },

    async lapse(tx, deadline) {
      const outcome = await service.lapse(tx, deadline)
      if (outcome)
        await send(
          tx,
          outcome,
          'dispute.decided',
          (a) => [a.clientId, a.freelancerId],
          (a, named) => `The dispute on ${named} was not answered in time: ${split(a, outcome.dispute)}`,
        )
      return outcome
    },
  }
}
