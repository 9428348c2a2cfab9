import type { Transaction } from '../../../db/client.js'
import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { NotificationsService } from '../notifications/index.js'
import type { InvoiceRow } from './invoices.repository.js'

/** An operator voided an invoice: both parties get the credit note that cancels it. */
export async function noticeCreditNote(
  notifications: Pick<NotificationsService, 'notify'>,
  tx: Transaction,
  input: {
    voided: InvoiceRow
    correction: InvoiceRow
    reason: string
    /** The printed invoice number (`INV-000012`). */
    numberOf: (n: number | null) => string | null
  },
): Promise<void> {
  const { voided, correction, numberOf } = input
  await notifications.notify(tx, {
    type: 'invoice.issued',
    userIds: [voided.clientId, voided.freelancerId],
    workroomId: voided.workroomId,
    contractId: voided.contractId,
    subject: { kind: 'invoice', id: correction.id },
    title: `An operator voided invoice ${numberOf(voided.number)}: credit note ${numberOf(correction.number)} for ${formatMoney(correction.total, correction.currency, MESSAGE_LOCALE)} (${input.reason})`,
    link: `/invoices/${correction.id}`,
    data: {
      invoiceId: correction.id,
      voidedInvoiceId: voided.id,
      amount: { amount: correction.total.toString(), currency: correction.currency },
    },
  })
}
