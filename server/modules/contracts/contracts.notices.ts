import type { Transaction } from '../../../db/client.js'
import type { NotificationsService } from '../notifications/index.js'
import { contractParties, noticeDeadline } from './contracts.parties.js'
import type { ContractStateChange, InitialTerms } from './contracts.service.js'

/**
 * A contract state hook (inside the change's transaction): the freelancer hears of an offer,
 * the client of its acceptance. Other changes notify nobody here (the money modules tell
 * the parties what an ending means for their escrow).
 */
export function noticeOffers(notifications: Pick<NotificationsService, 'notify'>) {
  return async ({ contract, from, to }: ContractStateChange, tx: Transaction): Promise<void> => {
    const offered = from === null && to === 'offered'
    const accepted = from === 'offered' && to === 'active'
    if (!offered && !accepted) return
    const about = await contractParties(tx, contract.id)
    if (!about) return
    const terms = contract.initialTerms as InitialTerms
    const price =
      contract.arrangement === 'hourly' ? `${about.money(terms.hourlyRate ?? 0)}/h` : about.money(terms.price ?? 0)
    await notifications.notify(tx, {
      type: offered ? 'offer.received' : 'offer.accepted',
      userIds: [offered ? contract.freelancerId : contract.clientId],
      workroomId: contract.workroomId,
      contractId: contract.id,
      subject: { kind: 'contract', id: contract.id },
      title: offered
        ? `${about.clientName} offered you a contract for “${about.jobTitle}” (${price}): answer by ${noticeDeadline(contract.offerExpiresAt)}`
        : `${about.freelancerName} accepted your offer for “${about.jobTitle}”`,
      link: about.link,
      data: { jobId: contract.jobId },
    })
  }
}
