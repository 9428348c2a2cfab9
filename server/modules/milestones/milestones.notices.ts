import type { Transaction } from '../../../db/client.js'
import { contractParties, noticeDeadline, type ContractParties } from '../contracts/index.js'
import { formatInvoiceNumber, type InvoiceRow } from '../invoices/index.js'
import type { NotificationsService, NotificationType } from '../notifications/index.js'
import type { MilestoneRow } from './milestones.repository.js'

export type Notifier = Pick<NotificationsService, 'notify'>

const amountData = (amount: bigint, currency: string) => ({ amount: amount.toString(), currency })

/**
 * What each milestone step tells whom (docs/notifications.md): the other party of the one
 * who acted; both parties when a deadline or an operator acted. Inside the step's transaction.
 */
export function createMilestoneNotices(notifications: Notifier) {
  async function send(
    tx: Transaction,
    milestone: MilestoneRow,
    notice: {
      type: NotificationType
      to: (about: ContractParties) => string[]
      title: (about: ContractParties, named: string) => string
      link?: string
      data?: Record<string, unknown>
    },
  ): Promise<void> {
    const about = await contractParties(tx, milestone.contractId)
    if (!about) return
    await notifications.notify(tx, {
      type: notice.type,
      userIds: notice.to(about),
      workroomId: about.workroomId,
      contractId: about.contractId,
      subject: { kind: 'milestone', id: milestone.id },
      title: notice.title(about, `“${milestone.title}” on “${about.jobTitle}”`),
      link: notice.link ?? about.link,
      data: { milestoneId: milestone.id, ...notice.data },
    })
  }

  return {
    funded: (tx: Transaction, m: MilestoneRow, actorId: string) =>
      send(tx, m, {
        type: 'milestone.funded',
        to: (a) => a.othersOf(actorId),
        title: (a, named) =>
          `${a.nameOf(actorId)} funded ${named} (${a.money(m.fundedAmount)} in escrow): you can start the work`,
        data: { amount: amountData(m.fundedAmount, m.currency) },
      }),

    submitted: (tx: Transaction, m: MilestoneRow, actorId: string) =>
      send(tx, m, {
        type: 'milestone.submitted',
        to: (a) => a.othersOf(actorId),
        title: (a, named) =>
          `${a.nameOf(actorId)} submitted ${named} for review: approve it or ask for changes` +
          (m.autoReleaseAt ? ` by ${noticeDeadline(m.autoReleaseAt)} (then it is released automatically)` : ''),
        data: { autoReleaseAt: m.autoReleaseAt?.toISOString() ?? null },
      }),

    changesRequested: (tx: Transaction, m: MilestoneRow, actorId: string) =>
      send(tx, m, {
        type: 'milestone.changes_requested',
        to: (a) => a.othersOf(actorId),
        title: (a, named) => `${a.nameOf(actorId)} asked for changes to ${named}`,
      }),

    /** A release by the client (whole: approved; part: released) or by the auto-release deadline (actor null). */
    released: (
      tx: Transaction,
      m: MilestoneRow,
      input: { actorId: string | null; gross: bigint; net: bigint; complete: boolean; invoice: InvoiceRow },
    ) => {
      const data = {
        amount: amountData(input.gross, m.currency),
        net: amountData(input.net, m.currency),
        invoiceId: input.invoice.id,
      }
      if (input.actorId === null)
        return send(tx, m, {
          type: 'milestone.released',
          to: (a) => [a.freelancerId],
          title: (a, named) =>
            `${named} was released automatically after the review window: ${a.money(input.net)} to your earnings`,
          data,
        })
      const actorId = input.actorId
      return send(tx, m, {
        type: input.complete ? 'milestone.approved' : 'milestone.released',
        to: (a) => a.othersOf(actorId),
        title: (a, named) =>
          input.complete
            ? `${a.nameOf(actorId)} approved ${named} and released ${a.money(input.gross)}: ${a.money(input.net)} to your earnings`
            : `${a.nameOf(actorId)} released ${a.money(input.gross)} of ${named}: ${a.money(input.net)} to your earnings`,
        data,
      })
    },

    /** The client's copy of an invoice nobody of them issued by hand (an automatic release). */
    invoiceIssued: (tx: Transaction, m: MilestoneRow, invoice: InvoiceRow) =>
      send(tx, m, {
        type: 'invoice.issued',
        to: (a) => [a.clientId],
        title: (a, named) =>
          `Invoice ${formatInvoiceNumber(invoice.number)} for ${a.money(invoice.total)}: ${named} was released automatically after the review window`,
        link: `/invoices/${invoice.id}`,
        data: { invoiceId: invoice.id, amount: amountData(invoice.total, invoice.currency) },
      }),

    /** The client asks for escrow back: the freelancer consents by refunding, or talks it over. */
    refundRequested: (tx: Transaction, m: MilestoneRow, input: { actorId: string; amount: bigint }) =>
      send(tx, m, {
        type: 'milestone.refund_requested',
        to: (a) => a.othersOf(input.actorId),
        title: (a, named) =>
          `${a.nameOf(input.actorId)} asked for ${a.money(input.amount)} of ${named} back from escrow: refund it, or answer in the workroom`,
        data: { amount: amountData(input.amount, m.currency) },
      }),

    /** Escrow back to the client's wallet: by the freelancer, an operator, or the end window (actor null). */
    refunded: (tx: Transaction, m: MilestoneRow, input: { actorId: string | null; amount: bigint }) =>
      send(tx, m, {
        type: 'milestone.refunded',
        to: (a) => a.othersOf(input.actorId),
        title: (a, named) =>
          input.actorId === null
            ? `${a.money(input.amount)} of ${named} went back to the client's wallet: the contract ended before the work was submitted`
            : `${a.nameOf(input.actorId)} refunded ${a.money(input.amount)} of ${named} to the client's wallet`,
        data: { amount: amountData(input.amount, m.currency) },
      }),
  }
}

export type MilestoneNotices = ReturnType<typeof createMilestoneNotices>
