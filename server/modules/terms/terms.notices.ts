import type { Transaction } from '../../../db/client.js'
import type { TermsData } from '../../../common/terms.js'
import { contractParties } from '../contracts/index.js'
import type { NotificationsService } from '../notifications/index.js'
import type { TermsVersionRow } from './terms.repository.js'

/** A party proposed a terms version: the other party is asked to review and accept it. */
export async function noticeTermsToAccept(
  notifications: Pick<NotificationsService, 'notify'>,
  tx: Transaction,
  input: { contractId: string; row: TermsVersionRow; proposedBy: string },
): Promise<void> {
  const about = await contractParties(tx, input.contractId)
  if (!about) return
  const terms = input.row.terms as TermsData
  const price = terms.hourlyRate !== null ? `${about.money(terms.hourlyRate)}/h` : about.money(terms.price ?? 0)
  await notifications.notify(tx, {
    type: 'terms.to_accept',
    userIds: about.othersOf(input.proposedBy),
    workroomId: about.workroomId,
    contractId: about.contractId,
    subject: { kind: 'terms_version', id: `${about.contractId}:${input.row.version}` },
    title: `${about.nameOf(input.proposedBy)} proposed terms version ${input.row.version} for “${about.jobTitle}” (${price}): review and accept`,
    link: about.link,
    data: { version: input.row.version, hash: input.row.hash },
  })
}
