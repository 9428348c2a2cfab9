import { Type, type Static } from '@fastify/type-provider-typebox'
import { isoWeekLabel, reviewDeadlineOf, submitDueOf, Totals, WEEK_MS } from '../tracker/index.js'
import type { DisputeRow } from './timesheets.repository.js'
import type { TimesheetView } from './timesheets.service.js'

const iso = (at: Date | null) => at?.toISOString() ?? null
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

export const Dispute = Type.Object({
  id: Type.String(),
  timesheetId: Type.String(),
  state: Type.String({ description: 'open, escalated or resolved' }),
  disputedMinutes: Type.Integer(),
  reason: Type.String(),
  response: Nullable(Type.String()),
  respondBy: Type.String(),
  respondedAt: Nullable(Type.String()),
  clientProposal: Type.Union([Type.Integer(), Type.Null()]),
  freelancerProposal: Type.Union([Type.Integer(), Type.Null()]),
  resolvedMinutes: Type.Union([Type.Integer(), Type.Null()]),
  resolvedBy: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  createdAt: Type.String(),
})

export const Timesheet = Type.Object({
  id: Type.String(),
  contractId: Type.String(),
  week: Type.String(),
  weekStart: Type.String(),
  weekEnd: Type.String(),
  state: Type.String({ description: 'open, submitted, disputed or approved' }),
  notes: Type.String(),
  currency: Type.String(),
  hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
  amount: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'Minor units. Open week: the running amount, billable minutes so far (weekly limit applied) x rate, what submitting now would invoice. Later: the submitted amount',
  }),
  totals: Totals,
  submitDeadline: Type.String({
    description: 'Until when the freelancer may adjust and submit the week; then it is submitted automatically',
  }),
  submittedAt: Nullable(Type.String()),
  submittedBy: Nullable(Type.String()),
  reviewDueAt: Nullable(
    Type.String({ description: 'Until when the client may approve or dispute; no action by then approves the week' }),
  ),
  approvedAt: Nullable(Type.String()),
  approvedBy: Nullable(Type.String()),
  approvedMinutes: Type.Union([Type.Integer(), Type.Null()]),
  invoiceIds: Type.Array(Type.String()),
  dispute: Type.Union([Dispute, Type.Null()]),
})

export function toDispute(row: DisputeRow): Static<typeof Dispute> {
  return {
    id: row.id,
    timesheetId: row.timesheetId,
    state: row.state,
    disputedMinutes: row.disputedMinutes,
    reason: row.reason,
    response: row.response,
    respondBy: row.respondBy.toISOString(),
    respondedAt: iso(row.respondedAt),
    clientProposal: row.clientProposal,
    freelancerProposal: row.freelancerProposal,
    resolvedMinutes: row.resolvedMinutes,
    resolvedBy: row.resolvedBy,
    resolvedAt: iso(row.resolvedAt),
    createdAt: row.createdAt.toISOString(),
  }
}

export function toTimesheet({ sheet, contract, totals, amount, dispute }: TimesheetView): Static<typeof Timesheet> {
  return {
    id: sheet.id,
    contractId: sheet.contractId,
    week: isoWeekLabel(sheet.weekStart),
    weekStart: sheet.weekStart.toISOString(),
    weekEnd: new Date(sheet.weekStart.getTime() + WEEK_MS).toISOString(),
    state: sheet.state,
    notes: sheet.notes,
    currency: sheet.currency,
    // Frozen at submission; until then the contract's current rate, the one the running amount uses.
    hourlyRate: sheet.hourlyRate ?? (sheet.state === 'open' ? contract.hourlyRate : null),
    amount,
    totals,
    submitDeadline: submitDueOf(sheet).toISOString(),
    submittedAt: iso(sheet.submittedAt),
    submittedBy: sheet.submittedBy,
    reviewDueAt: iso(sheet.reviewDueAt ?? (sheet.state === 'open' ? reviewDeadlineOf(sheet.weekStart) : null)),
    approvedAt: iso(sheet.approvedAt),
    approvedBy: sheet.approvedBy,
    approvedMinutes: sheet.approvedMinutes,
    invoiceIds: sheet.invoiceIds,
    dispute: dispute ? toDispute(dispute) : null,
  }
}
