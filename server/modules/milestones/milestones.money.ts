import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { Transaction } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import { aboutField } from '../../http/validation-errors.js'
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
 * Refuses an `amount` of the hold that is not above zero or more than is held, in words with
 * the amounts in major units: "Release amount $150.00 is more than the $100.00 left in escrow".
 */
export function checkAgainstHold(
  what: 'Release' | 'Refund',
  milestone: Pick<MilestoneRow, 'fundedAmount' | 'releasedAmount' | 'refundedAmount' | 'currency'>,
  amount: bigint,
): void {
  const held = heldOf(milestone)
  if (amount > 0n && amount <= held) return
  const money = (value: bigint) => formatMoney(value, milestone.currency, MESSAGE_LOCALE)
  const [words, message] =
    amount <= 0n
      ? ['must be above zero', `${what} amount must be above zero`]
      : [
          `must be at most the ${money(held)} left in escrow`,
          `${what} amount ${money(amount)} is more than the ${money(held)} left in escrow`,
        ]
  throw milestoneErrors.amountExceedsHold(...aboutField('amount', words, { held: Number(held) }, message))
}

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
  checkAgainstHold('Release', milestone, gross)
  const held = heldOf(milestone)
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
  checkAgainstHold('Refund', milestone, amount)
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
