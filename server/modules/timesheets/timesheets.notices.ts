import type { Transaction } from '../../../db/client.js'
import { contractParties, noticeDeadline, type ContractParties } from '../contracts/index.js'
import { formatInvoiceNumber, type InvoiceRow } from '../invoices/index.js'
import type { NotificationsService, NotificationType } from '../notifications/index.js'
import { isoWeekLabel } from '../tracker/index.js'
import type { TimesheetRow } from './timesheets.repository.js'

/** After-commit steps, collected while the transaction runs (the service's `Notify`). */
type AfterCommit = Array<() => Promise<void>>

/** `750` -> `12 h 30 min`; `20` -> `20 min`. */
export const hoursText = (minutes: number) =>
  [minutes >= 60 ? `${Math.floor(minutes / 60)} h` : '', minutes % 60 ? `${minutes % 60} min` : '']
    .filter(Boolean)
    .join(' ') || '0 min'

/**
 * What each timesheet step tells whom (docs/notifications.md), in the step's transaction; the
 * live push joins the step's own after-commit queue.
 */
export function createTimesheetNotices(notifications: Pick<NotificationsService, 'notify'>) {
  async function send(
    tx: Transaction,
    out: AfterCommit,
    sheet: TimesheetRow,
    notice: {
      type: NotificationType
      to: (about: ContractParties) => string[]
      title: (about: ContractParties, week: string) => string
      link?: (about: ContractParties) => string
      data?: Record<string, unknown>
    },
  ): Promise<void> {
    const about = await contractParties(tx, sheet.contractId)
    if (!about) return
    await notifications.notify(
      tx,
      {
        type: notice.type,
        userIds: notice.to(about),
        workroomId: about.workroomId,
        contractId: about.contractId,
        subject: { kind: 'timesheet', id: sheet.id },
        title: notice.title(about, `${isoWeekLabel(sheet.weekStart)} on “${about.jobTitle}”`),
        link: notice.link ? notice.link(about) : `${about.link}/timesheets`,
        data: { timesheetId: sheet.id, week: isoWeekLabel(sheet.weekStart), ...notice.data },
      },
      { afterCommit: (fn) => void out.push(async () => void (await fn())) },
    )
  }

  return {
    /** Submitted (by the freelancer, or by the submit deadline): the client reviews it. */
    toReview: (tx: Transaction, out: AfterCommit, sheet: TimesheetRow, input: { minutes: number; auto: boolean }) =>
      send(tx, out, sheet, {
        type: 'timesheet.to_review',
        to: (a) => [a.clientId],
        title: (a, week) =>
          `${input.auto ? 'The timesheet' : `${a.freelancerName} submitted the timesheet`} for ${week}` +
          `${input.auto ? ' was submitted automatically' : ''}: ${hoursText(input.minutes)}, ${a.money(sheet.amount ?? 0)}` +
          (sheet.reviewDueAt ? `; approve or dispute it by ${noticeDeadline(sheet.reviewDueAt)}` : ''),
        data: { minutes: input.minutes, reviewDueAt: sheet.reviewDueAt?.toISOString() ?? null },
      }),

    /** Approved (by the client, or by the review deadline: then the client gets the invoice too). */
    approved: async (
      tx: Transaction,
      out: AfterCommit,
      sheet: TimesheetRow,
      input: { invoice: InvoiceRow; payment: 'paid' | 'awaiting_funds'; auto: boolean },
    ) => {
      const { invoice } = input
      const paid = input.payment === 'paid'
      await send(tx, out, sheet, {
        type: 'timesheet.approved',
        to: (a) => [a.freelancerId],
        title: (a, week) =>
          `${input.auto ? 'Your timesheet' : `${a.clientName} approved your timesheet`} for ${week}` +
          `${input.auto ? ' was approved automatically' : ''}: ${a.money(invoice.total)} ` +
          (paid ? 'paid' : "invoiced (paid as soon as the client's wallet covers it)"),
        data: { invoiceId: invoice.id, payment: input.payment },
      })
      if (input.auto)
        await send(tx, out, sheet, {
          type: 'invoice.issued',
          to: (a) => [a.clientId],
          title: (a, week) =>
            `Invoice ${formatInvoiceNumber(invoice.number)} for ${a.money(invoice.total)}: the timesheet for ${week} was approved automatically` +
            (paid ? ' and paid from your wallet' : '; top up your wallet to pay it'),
          link: () => `/invoices/${invoice.id}`,
          data: { invoiceId: invoice.id, payment: input.payment },
        })
    },

    /** The client disputed some minutes: the freelancer answers. */
    disputed: (
      tx: Transaction,
      out: AfterCommit,
      sheet: TimesheetRow,
      input: { minutes: number; respondBy: Date; disputeId: string },
    ) =>
      send(tx, out, sheet, {
        type: 'timesheet.disputed',
        to: (a) => [a.freelancerId],
        title: (a, week) =>
          `${a.clientName} disputed ${hoursText(input.minutes)} of your timesheet for ${week}: answer by ${noticeDeadline(input.respondBy)}`,
        data: { disputeId: input.disputeId, minutes: input.minutes },
      }),
  }
}

export type TimesheetNotices = ReturnType<typeof createTimesheetNotices>
