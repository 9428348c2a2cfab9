import type { Transaction } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { InvoiceRow, InvoicesService } from '../invoices/index.js'
import { accounts, platformFee, type LedgerService } from '../ledger/index.js'
import type { SettingsReader } from '../settings/index.js'
import { milestoneErrors } from './milestones.errors.js'
import { createMilestonesRepository, type ContractRow, type MilestoneRow } from './milestones.repository.js'

/** What moving escrow money needs; milestones and disputes share it. */
export interface EscrowDeps {
  ledger: Pick<LedgerService, 'transfer'>
  invoices: Pick<InvoicesService, 'issue'>
  clock: Clock
  ids: IdGenerator
  /** The platform fee is the operator's setting in force when the money is released. */
  settings: SettingsReader
}

/** What is still in escrow for the milestone (the ledger's hold balance, mirrored on the row). */
export const heldOf = (m: Pick<MilestoneRow, 'fundedAmount' | 'releasedAmount' | 'refundedAmount'>): bigint =>
  m.fundedAmount - m.releasedAmount - m.refundedAmount

export type ReleaseReason = 'approved' | 'auto_released' | 'dispute'

/**
 * Pays `gross` out of the milestone's hold: hold -> freelancer earnings (gross - fee) and
 * hold -> platform fees (fee = floor(gross * bps / 10000)), one balanced transfer; then a
 * paid invoice for it. Updates the money columns, not the state (the caller decides).
 */
export async function releaseFromHold(
  tx: Transaction,
  deps: EscrowDeps,
  input: {
    milestone: MilestoneRow
    contract: ContractRow
    gross: bigint
    actorId: string | null
    reason: ReleaseReason
  },
): Promise<{ milestone: MilestoneRow; invoice: InvoiceRow; fee: bigint; net: bigint; transferId: string }> {
  const { milestone, contract, gross } = input
  const held = heldOf(milestone)
  if (gross <= 0n || gross > held) throw milestoneErrors.amountExceedsHold(undefined, { held: Number(held) })
  const { fee, net } = platformFee(gross, (await deps.settings.getSettings(tx)).platformFeeBps)
  const currency = milestone.currency
  const transfer = await deps.ledger.transfer(tx, {
    kind: 'release',
    currency,
    reference: `milestone:${milestone.id}`,
    actorId: input.actorId,
    legs: [
      { account: accounts.hold(milestone.id, currency), amount: -gross },
      { account: accounts.earnings(contract.freelancerId, currency), amount: net },
      { account: accounts.fees(currency), amount: fee },
    ],
  })
  const partial = gross !== held
  const label = {
    approved: partial ? 'partial release' : 'release',
    auto_released: 'automatic release',
    dispute: 'dispute resolution',
  }[input.reason]
  const invoice = await deps.invoices.issue(tx, {
    parties: {
      contractId: contract.id,
      workroomId: contract.workroomId,
      clientId: contract.clientId,
      freelancerId: contract.freelancerId,
    },
    source: `release:${transfer.id}`,
    milestoneId: milestone.id,
    currency,
    lines: [
      {
        description: `Milestone ${milestone.position + 1}: ${milestone.title} (${label})`,
        quantity: 1,
        unitAmount: Number(gross),
        amount: Number(gross),
      },
    ],
    feeAmount: fee,
    state: 'paid',
  })
  const updated = await createMilestonesRepository(tx).update(milestone.id, {
    releasedAmount: milestone.releasedAmount + gross,
    feeAmount: milestone.feeAmount + fee,
    updatedAt: deps.clock.now(),
  })
  return { milestone: updated, invoice, fee, net, transferId: transfer.id }
}

/** Returns `amount` of the hold to the client's wallet (hold -> wallet). */
export async function refundFromHold(
  tx: Transaction,
  deps: EscrowDeps,
  input: { milestone: MilestoneRow; contract: ContractRow; amount: bigint; actorId: string | null },
): Promise<{ milestone: MilestoneRow; transferId: string }> {
  const { milestone, contract, amount } = input
  const held = heldOf(milestone)
  if (amount <= 0n || amount > held) throw milestoneErrors.amountExceedsHold(undefined, { held: Number(held) })
  const transfer = await deps.ledger.transfer(tx, {
    kind: 'refund',
    currency: milestone.currency,
    reference: `milestone:${milestone.id}`,
    actorId: input.actorId,
    legs: [
      { account: accounts.hold(milestone.id, milestone.currency), amount: -amount },
      { account: accounts.wallet(contract.clientId, milestone.currency), amount },
    ],
  })
  const updated = await createMilestonesRepository(tx).update(milestone.id, {
    refundedAmount: milestone.refundedAmount + amount,
    refundRequestedAmount: null,
    refundRequestedAt: null,
    updatedAt: deps.clock.now(),
  })
  return { milestone: updated, transferId: transfer.id }
}
