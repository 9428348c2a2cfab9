import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { Transaction } from '../../../db/client.js'
import { aboutField } from '../../http/validation-errors.js'
import type { InvoiceRow } from '../invoices/index.js'
import {
  createMilestonesRepository,
  heldOf,
  refundFromHold,
  releaseFromHold,
  type ContractRow,
  type EscrowDeps,
  type MilestoneRow,
  type MilestonesService,
} from '../milestones/index.js'
import { disputeErrors } from './disputes.errors.js'
import { createDisputesRepository, type DisputeRow } from './disputes.repository.js'

/** What a resolution leaves: the closed dispute, the emptied milestone, and the invoice if the freelancer was paid. */
export interface Resolved {
  dispute: DisputeRow
  milestone: MilestoneRow
  invoice?: InvoiceRow
}

/**
 * A split gives the freelancer between nothing and all that is held; a refusal says both
 * amounts in major units ("The freelancer's share $150.00 is more than the $100.00 held in escrow").
 */
export function checkSplit(amount: bigint, milestone: Pick<MilestoneRow, 'currency'> & Parameters<typeof heldOf>[0]) {
  const held = heldOf(milestone)
  if (amount >= 0n && amount <= held) return
  const money = (value: bigint) => formatMoney(value, milestone.currency, MESSAGE_LOCALE)
  const words = `must be from ${money(0n)} to the ${money(held)} held in escrow`
  throw disputeErrors.badSplit(
    ...aboutField(
      'freelancerAmount',
      words,
      { held: Number(held) },
      amount < 0n
        ? `The freelancer's share ${words}`
        : `The freelancer's share ${money(amount)} is more than the ${money(held)} held in escrow`,
    ),
  )
}

/**
 * How a dispute ends: a split both sides accepted, an operator's decision, or the lapse of
 * the response deadline. Each empties the hold in the caller's transaction.
 */
export function createDisputeResolution(
  deps: EscrowDeps & {
    milestones: Pick<MilestonesService, 'holdEmptied' | 'log'>
  },
) {
  const { clock } = deps

  /** Empties the hold by the split and closes the dispute. */
  async function resolve(
    tx: Transaction,
    input: {
      dispute: DisputeRow
      milestone: MilestoneRow
      contract: ContractRow
      freelancerAmount: bigint
      resolution: 'settled' | 'decided' | 'lapsed'
      actorId: string | null
      note?: string
    },
  ): Promise<Resolved> {
    const { contract } = input
    let milestone = input.milestone
    const held = heldOf(milestone)
    checkSplit(input.freelancerAmount, milestone)
    let invoice: InvoiceRow | undefined
    if (input.freelancerAmount > 0n) {
      const released = await releaseFromHold(tx, deps, {
        milestone,
        contract,
        gross: input.freelancerAmount,
        actorId: input.actorId,
        reason: 'dispute',
      })
      milestone = released.milestone
      invoice = released.invoice
    }
    const clientAmount = held - input.freelancerAmount
    if (clientAmount > 0n)
      milestone = (
        await refundFromHold(tx, deps, { milestone, contract, amount: clientAmount, actorId: input.actorId })
      ).milestone
    const now = clock.now()
    milestone = await createMilestonesRepository(tx).update(milestone.id, {
      state: input.freelancerAmount > 0n ? 'released' : 'refunded',
      stateBeforeDispute: null,
      autoReleaseAt: null,
      resolvedAt: now,
      updatedAt: now,
    })
    const repository = createDisputesRepository(tx)
    const dispute = await repository.update(input.dispute.id, {
      state: 'resolved',
      resolution: input.resolution,
      freelancerAmount: input.freelancerAmount,
      resolvedAt: now,
      ...(input.resolution === 'decided' ? { decidedBy: input.actorId, decisionNote: input.note ?? null } : {}),
    })
    await repository.addMessage({
      id: deps.ids.newId(),
      disputeId: dispute.id,
      authorId: input.actorId,
      kind: input.resolution === 'decided' ? 'decision' : input.resolution === 'lapsed' ? 'lapsed' : 'settle',
      message: input.note ?? null,
      freelancerAmount: input.freelancerAmount,
      createdAt: now,
    })
    await deps.milestones.log(tx, contract, input.actorId, 'dispute.resolved', {
      disputeId: dispute.id,
      milestoneId: milestone.id,
      resolution: input.resolution,
      freelancerAmount: Number(input.freelancerAmount),
      clientAmount: Number(clientAmount),
      invoiceId: invoice?.id ?? null,
      invoiceNumber: invoice?.number ?? null,
    })
    await deps.milestones.holdEmptied(tx, { milestone: input.milestone, contract, actorId: input.actorId })
    return { dispute, milestone, ...(invoice ? { invoice } : {}) }
  }

  /** Records `role`'s accepted split; settles when both sides accept the same one. */
  async function accept(
    tx: Transaction,
    locked: { dispute: DisputeRow; milestone: MilestoneRow; contract: ContractRow },
    role: 'client' | 'freelancer',
    amount: bigint,
    actorId: string,
  ) {
    const { dispute, milestone, contract } = locked
    const changes: Partial<DisputeRow> = role === 'client' ? { clientAccepts: amount } : { freelancerAccepts: amount }
    const clientAccepts = role === 'client' ? amount : dispute.clientAccepts
    const freelancerAccepts = role === 'freelancer' ? amount : dispute.freelancerAccepts
    if (clientAccepts !== null && clientAccepts === freelancerAccepts) {
      await createDisputesRepository(tx).update(dispute.id, changes)
      return resolve(tx, {
        dispute: { ...dispute, ...changes },
        milestone,
        contract,
        freelancerAmount: amount,
        resolution: 'settled',
        actorId,
      })
    }
    return { dispute: await createDisputesRepository(tx).update(dispute.id, changes), milestone, contract }
  }

  return { resolve, accept }
}
