import type { Executor, Transaction } from '../../../db/client.js'
import type { InvoiceLine } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import { appendActivity } from '../activity/index.js'
import type { NotificationsService } from '../notifications/index.js'
import { noticeCreditNote } from './invoices.notices.js'
import { invoiceErrors } from './invoices.errors.js'
import { createInvoicesRepository, type InvoiceRow } from './invoices.repository.js'

export interface InvoiceParties {
  contractId: string
  workroomId: string
  clientId: string
  freelancerId: string
}

export interface IssueInput {
  parties: InvoiceParties
  /** What it bills, unique per invoice (`release:<transfer id>`, `timesheet:<id>`): issuing twice returns the first. */
  source: string
  milestoneId?: string | null
  currency: string
  lines: InvoiceLine[]
  /** The platform fee withheld from the freelancer (shown, not added to the total). */
  feeAmount: bigint
  /** `draft` (no number yet), `formal` (numbered, awaiting payment) or `paid` (numbered and paid at once, e.g. a release). */
  state: 'draft' | 'formal' | 'paid'
  periodStart?: string | null
  periodEnd?: string | null
  note?: string | null
}

/** The printed invoice number. */
export const formatInvoiceNumber = (n: number | null): string | null =>
  n === null ? null : `INV-${String(n).padStart(6, '0')}`

/**
 * Invoices for milestone releases and approved timesheets, one model. Numbers come from the
 * one gap-free sequence of the instance, taken inside the caller's transaction when the
 * invoice becomes formal.
 *
 * Lock order: take invoice numbers after the ledger transfer and before `appendActivity`
 * (which locks the workroom), as every money use case here does, so no two transactions
 * wait on each other in a cycle.
 */
export function createInvoicesService(deps: {
  clock: Clock
  ids: IdGenerator
  notifications: Pick<NotificationsService, 'notify'>
}) {
  const { clock, ids } = deps

  return {
    async issue(tx: Transaction, input: IssueInput): Promise<InvoiceRow> {
      const repository = createInvoicesRepository(tx)
      const existing = await repository.bySource(input.source)
      if (existing) return existing
      const subtotal = input.lines.reduce((sum, line) => sum + BigInt(line.amount), 0n)
      const now = clock.now()
      const numbered = input.state !== 'draft'
      const row = await repository.insert({
        id: ids.newId(),
        number: numbered ? await repository.nextNumber() : null,
        kind: 'invoice',
        state: input.state,
        contractId: input.parties.contractId,
        workroomId: input.parties.workroomId,
        source: input.source,
        milestoneId: input.milestoneId ?? null,
        clientId: input.parties.clientId,
        freelancerId: input.parties.freelancerId,
        currency: input.currency,
        lines: input.lines,
        subtotal,
        feeAmount: input.feeAmount,
        total: subtotal,
        periodStart: input.periodStart ?? null,
        periodEnd: input.periodEnd ?? null,
        note: input.note ?? null,
        issuedAt: numbered ? now : null,
        paidAt: input.state === 'paid' ? now : null,
        createdAt: now,
      })
      if (!row) throw new Error(`invoice for ${input.source} appeared concurrently`)
      return row
    },

    /** draft -> formal: numbered now. */
    async finalize(tx: Transaction, invoiceId: string): Promise<InvoiceRow> {
      const repository = createInvoicesRepository(tx)
      const invoice = await repository.lock(invoiceId)
      if (!invoice) throw invoiceErrors.notFound()
      if (invoice.state !== 'draft') throw invoiceErrors.badState()
      return repository.update(invoice.id, {
        state: 'formal',
        number: await repository.nextNumber(),
        issuedAt: clock.now(),
      })
    },

    /** formal -> paid (the money moved in the same transaction). */
    async markPaid(tx: Transaction, invoiceId: string): Promise<InvoiceRow> {
      const repository = createInvoicesRepository(tx)
      const invoice = await repository.lock(invoiceId)
      if (!invoice) throw invoiceErrors.notFound()
      if (invoice.state !== 'formal') throw invoiceErrors.badState()
      return repository.update(invoice.id, { state: 'paid', paidAt: clock.now() })
    },

    /**
     * Voids a formal or paid invoice (operators): it is never edited; a correcting invoice
     * (`credit_note`, the lines negated, its own number) cancels it. Money is not moved
     * here: a wrong payment is corrected by a new ledger transfer.
     */
    async void(
      tx: Transaction,
      input: { invoiceId: string; actorId: string; reason: string },
    ): Promise<{ voided: InvoiceRow; correction: InvoiceRow }> {
      const repository = createInvoicesRepository(tx)
      const invoice = await repository.lock(input.invoiceId)
      if (!invoice) throw invoiceErrors.notFound()
      if (invoice.kind !== 'invoice' || (invoice.state !== 'formal' && invoice.state !== 'paid'))
        throw invoiceErrors.notVoidable()
      const now = clock.now()
      const number = await repository.nextNumber()
      const correction = await repository.insert({
        id: ids.newId(),
        number,
        kind: 'credit_note',
        state: 'formal',
        contractId: invoice.contractId,
        workroomId: invoice.workroomId,
        source: `void:${invoice.id}`,
        milestoneId: invoice.milestoneId,
        clientId: invoice.clientId,
        freelancerId: invoice.freelancerId,
        currency: invoice.currency,
        lines: invoice.lines.map((line) => ({
          ...line,
          description: `Correction of ${formatInvoiceNumber(invoice.number)}: ${line.description}`,
          unitAmount: -line.unitAmount,
          amount: -line.amount,
        })),
        subtotal: -invoice.subtotal,
        feeAmount: -invoice.feeAmount,
        total: -invoice.total,
        periodStart: invoice.periodStart,
        periodEnd: invoice.periodEnd,
        correctsInvoiceId: invoice.id,
        note: input.reason,
        issuedAt: now,
        createdAt: now,
      })
      if (!correction) throw invoiceErrors.notVoidable()
      const voided = await repository.update(invoice.id, { state: 'void', voidedAt: now })
      await appendActivity(tx, deps, {
        workroomId: invoice.workroomId,
        actorId: input.actorId,
        type: 'invoice.voided',
        scopeFreelancerId: invoice.freelancerId,
        data: {
          invoiceId: invoice.id,
          number: invoice.number,
          correctionId: correction.id,
          correctionNumber: correction.number,
        },
      })
      await noticeCreditNote(deps.notifications, tx, {
        voided,
        correction,
        reason: input.reason,
        numberOf: formatInvoiceNumber,
      })
      return { voided, correction }
    },

    async get(db: Executor, id: string): Promise<InvoiceRow | null> {
      return createInvoicesRepository(db).find(id)
    },
  }
}

export type InvoicesService = ReturnType<typeof createInvoicesService>
