import type { Executor, Transaction } from '../../../db/client.js'
import { DAY } from '../../clock.js'
import { AppError } from '../../http/errors.js'
import type { DeadlineContext } from '../../plugins/scheduler.js'
import {
  amountFor,
  contractFor,
  findContract,
  type ContractRole,
  type HourlyContract,
  type WeekTotals,
} from '../tracker/index.js'
import { timesheetErrors } from './timesheets.errors.js'
import { billMinutes, reviseDraft, weekLines } from './timesheets.money.js'
import { createTimesheetsRepository, type DisputeRow, type TimesheetRow } from './timesheets.repository.js'
import {
  AUTO_APPROVE_KIND,
  DISPUTE_TIMEOUT_KIND,
  type Notify,
  type TimesheetsDeps,
  type TimesheetsService,
} from './timesheets.service.js'

export type Resolution = 'agreement' | 'operator' | 'no_response'

/**
 * Hourly disputes: the client disputes minutes of a submitted week; the freelancer answers
 * within 3 days (no answer: the client's position, 0 of the disputed minutes, stands);
 * either side proposes how many disputed minutes are paid and equal proposals settle;
 * either may escalate, and an operator decides.
 */
export function createDisputesService(
  deps: TimesheetsDeps,
  timesheets: Pick<TimesheetsService, 'sheetFor' | 'view' | 'log' | 'notify' | 'flush' | 'afterDeadline'>,
) {
  const { clock, scheduler } = deps

  async function disputeFor(executor: Executor, id: string, userId: string | null, opts: { lock?: boolean } = {}) {
    const repository = createTimesheetsRepository(executor)
    const dispute = await repository.findDispute(id, opts)
    if (!dispute) throw timesheetErrors.disputeNotFound()
    const sheet = (await repository.find(dispute.timesheetId, opts))!
    if (userId === null)
      return {
        dispute,
        sheet,
        contract: (await findContract(executor, dispute.contractId))!,
        role: null as ContractRole | null,
      }
    try {
      return { dispute, sheet, ...(await contractFor(executor, dispute.contractId, userId)) }
    } catch (err) {
      if (err instanceof AppError) throw timesheetErrors.disputeNotFound()
      throw err
    }
  }

  /** Pays `minutes` of the disputed ones and closes the dispute and the week. */
  async function resolve(
    tx: Transaction,
    input: {
      dispute: DisputeRow
      sheet: TimesheetRow
      contract: HourlyContract
      minutes: number
      by: Resolution
      actorId: string | null
    },
    out: Notify,
  ) {
    const { dispute, sheet, contract, minutes } = input
    const undisputed = sheet.approvedMinutes ?? 0
    const rate = sheet.hourlyRate ?? 0
    // The difference to the whole, so undisputed + resolved parts add up exactly.
    const amount = BigInt(amountFor(undisputed + minutes, rate) - amountFor(undisputed, rate))
    let invoiceId: string | null = null
    let payment: string | null = null
    const draftId = undisputed === 0 ? sheet.invoiceIds[0] : undefined
    if (amount > 0n) {
      const billed = await billMinutes(tx, deps, {
        sheet,
        contract,
        minutes,
        amount,
        actorId: input.actorId,
        draftId,
        source: `timesheet:${sheet.id}:dispute`,
        label: ' (disputed minutes, resolved)',
      })
      invoiceId = billed.invoice.id
      payment = billed.payment
    } else if (draftId) {
      // Nothing of the week is owed: the draft stays a draft, revised to zero, never numbered.
      await reviseDraft(tx, draftId, {
        lines: weekLines(sheet, contract, 0, 0n),
        amount: 0n,
        fee: 0n,
        note: 'Every billable minute was disputed; none is billed.',
      })
    }
    const now = clock.now()
    const repository = createTimesheetsRepository(tx)
    const resolved = await repository.updateDispute(dispute.id, {
      state: 'resolved',
      resolvedMinutes: minutes,
      resolvedBy: input.by,
      resolvedAt: now,
      updatedAt: now,
    })
    const invoiceIds =
      invoiceId && !sheet.invoiceIds.includes(invoiceId) ? [...sheet.invoiceIds, invoiceId] : sheet.invoiceIds
    await repository.update(sheet.id, {
      state: 'approved',
      approvedMinutes: undisputed + minutes,
      approvedAt: now,
      approvedBy: input.by === 'operator' ? 'operator' : input.by === 'agreement' ? 'agreement' : 'system',
      invoiceIds,
      updatedAt: now,
    })
    await scheduler.cancel(DISPUTE_TIMEOUT_KIND, dispute.id, tx)
    const data = {
      timesheetId: sheet.id,
      disputeId: dispute.id,
      paidMinutes: minutes,
      of: dispute.disputedMinutes,
      by: input.by,
      invoiceId,
      amount: Number(amount),
      payment,
    }
    await timesheets.log(tx, contract, input.actorId, 'timesheet.dispute_resolved', data)
    timesheets.notify(out, contract, 'timesheet.dispute_resolved', data)
    return resolved
  }

  function assertOpen(dispute: DisputeRow) {
    if (dispute.state === 'resolved') throw timesheetErrors.disputeClosed()
  }

  async function propose(
    tx: Transaction,
    ctx: Awaited<ReturnType<typeof disputeFor>>,
    userId: string,
    minutes: number,
    out: Notify,
  ) {
    const { dispute, sheet, contract, role } = ctx
    if (minutes < 0 || minutes > dispute.disputedMinutes)
      throw timesheetErrors.badProposal(undefined, { disputedMinutes: dispute.disputedMinutes })
    const changes = role === 'client' ? { clientProposal: minutes } : { freelancerProposal: minutes }
    const updated = await createTimesheetsRepository(tx).updateDispute(dispute.id, {
      ...changes,
      updatedAt: clock.now(),
    })
    if (updated.clientProposal !== null && updated.clientProposal === updated.freelancerProposal) {
      return resolve(tx, { dispute: updated, sheet, contract, minutes, by: 'agreement', actorId: userId }, out)
    }
    const data = { disputeId: dispute.id, proposedMinutes: minutes, by: role }
    await timesheets.log(tx, contract, userId, 'timesheet.dispute_proposal', data)
    timesheets.notify(out, contract, 'timesheet.dispute_proposal', data)
    return updated
  }

  return {
    /**
     * The client disputes some minutes of a submitted week. Only those wait: the rest is
     * approved and paid now, on the week's draft invoice revised to the undisputed minutes.
     * The amount of the undisputed part is computed on its own minutes; what a resolution
     * pays later is the difference to the whole, so the parts always add up to the week.
     */
    async open(tx: Transaction, input: { id: string; userId: string; minutes: number; reason: string }, out: Notify) {
      const { sheet, contract, role } = await timesheets.sheetFor(tx, input.id, input.userId, { lock: true })
      if (role !== 'client') throw timesheetErrors.clientOnly()
      if (sheet.state !== 'submitted') throw timesheetErrors.notSubmitted()
      const now = clock.now()
      if (now >= (sheet.reviewDueAt ?? now)) throw timesheetErrors.reviewClosed()
      const billable = (sheet.totals as WeekTotals).billableMinutes
      if (input.minutes < 1 || input.minutes > billable)
        throw timesheetErrors.tooManyMinutes(undefined, { billableMinutes: billable })
      const undisputed = billable - input.minutes
      const rate = sheet.hourlyRate ?? 0
      const repository = createTimesheetsRepository(tx)
      let invoiceId: string | null = null
      let payment: string | null = null
      if (undisputed > 0) {
        const billed = await billMinutes(tx, deps, {
          sheet,
          contract,
          minutes: undisputed,
          amount: BigInt(amountFor(undisputed, rate)),
          actorId: input.userId,
          draftId: sheet.invoiceIds[0]!,
          source: `timesheet:${sheet.id}`,
          label: ' (undisputed)',
        })
        invoiceId = billed.invoice.id
        payment = billed.payment
      }
      const respondBy = new Date(
        now.getTime() + (await deps.settings.getSettings(tx)).timesheetDisputeResponseDays * DAY,
      )
      const dispute = await repository.insertDispute({
        id: deps.ids.newId(),
        timesheetId: sheet.id,
        contractId: contract.id,
        state: 'open',
        disputedMinutes: input.minutes,
        reason: input.reason,
        respondBy,
        clientProposal: 0,
        createdAt: now,
        updatedAt: now,
      })
      const updated = await repository.update(sheet.id, {
        state: 'disputed',
        approvedMinutes: undisputed,
        updatedAt: now,
      })
      await scheduler.cancel(AUTO_APPROVE_KIND, sheet.id, tx)
      await scheduler.schedule({ kind: DISPUTE_TIMEOUT_KIND, subject: dispute.id, dueAt: respondBy }, tx)
      const data = {
        timesheetId: sheet.id,
        disputeId: dispute.id,
        disputedMinutes: input.minutes,
        undisputedMinutes: undisputed,
        invoiceId,
        payment,
      }
      await timesheets.log(tx, contract, input.userId, 'timesheet.disputed', data)
      timesheets.notify(out, contract, 'timesheet.disputed', data)
      await deps.notices.disputed(tx, out, updated, { minutes: input.minutes, respondBy, disputeId: dispute.id })
      return { view: await timesheets.view(tx, updated, contract), dispute }
    },

    async get(input: { id: string; userId: string }) {
      return (await disputeFor(deps.db, input.id, input.userId)).dispute
    },

    /** The freelancer's answer (within 3 days), optionally with the minutes they ask to be paid. */
    async respond(
      tx: Transaction,
      input: { id: string; userId: string; message: string; minutes?: number },
      out: Notify,
    ) {
      const ctx = await disputeFor(tx, input.id, input.userId, { lock: true })
      if (ctx.role !== 'freelancer') throw timesheetErrors.freelancerOnly()
      assertOpen(ctx.dispute)
      if (ctx.dispute.respondedAt) throw timesheetErrors.alreadyResponded()
      const now = clock.now()
      const answered = await createTimesheetsRepository(tx).updateDispute(ctx.dispute.id, {
        response: input.message,
        respondedAt: now,
        updatedAt: now,
      })
      await scheduler.cancel(DISPUTE_TIMEOUT_KIND, ctx.dispute.id, tx)
      await timesheets.log(tx, ctx.contract, input.userId, 'timesheet.dispute_answered', { disputeId: ctx.dispute.id })
      timesheets.notify(out, ctx.contract, 'timesheet.dispute_answered', { disputeId: ctx.dispute.id })
      if (input.minutes === undefined) return answered
      return propose(tx, { ...ctx, dispute: answered }, input.userId, input.minutes, out)
    },

    /** Either side proposes how many of the disputed minutes are paid; the same number from both settles. */
    async settle(tx: Transaction, input: { id: string; userId: string; minutes: number }, out: Notify) {
      const ctx = await disputeFor(tx, input.id, input.userId, { lock: true })
      assertOpen(ctx.dispute)
      if (ctx.role === 'freelancer' && !ctx.dispute.respondedAt) {
        // A proposal is an answer too.
        const now = clock.now()
        ctx.dispute = await createTimesheetsRepository(tx).updateDispute(ctx.dispute.id, {
          respondedAt: now,
          updatedAt: now,
        })
        await scheduler.cancel(DISPUTE_TIMEOUT_KIND, ctx.dispute.id, tx)
      }
      return propose(tx, ctx, input.userId, input.minutes, out)
    },

    async escalate(input: { id: string; userId: string }) {
      const out: Notify = []
      const dispute = await deps.db.transaction(async (tx) => {
        const { dispute, contract } = await disputeFor(tx, input.id, input.userId, { lock: true })
        assertOpen(dispute)
        if (dispute.state === 'escalated') return dispute
        const now = clock.now()
        // With an operator on it, silence no longer decides it.
        await scheduler.cancel(DISPUTE_TIMEOUT_KIND, dispute.id, tx)
        const updated = await createTimesheetsRepository(tx).updateDispute(dispute.id, {
          state: 'escalated',
          respondedAt: dispute.respondedAt ?? now,
          updatedAt: now,
        })
        await timesheets.log(tx, contract, input.userId, 'timesheet.dispute_escalated', { disputeId: dispute.id })
        timesheets.notify(out, contract, 'timesheet.dispute_escalated', { disputeId: dispute.id })
        return updated
      })
      await timesheets.flush(out)
      return dispute
    },

    /** An operator decides how many of the disputed minutes are paid. */
    async decide(tx: Transaction, input: { id: string; operatorId: string; minutes: number }, out: Notify) {
      const ctx = await disputeFor(tx, input.id, null, { lock: true })
      assertOpen(ctx.dispute)
      if (input.minutes < 0 || input.minutes > ctx.dispute.disputedMinutes) throw timesheetErrors.badProposal()
      return resolve(tx, { ...ctx, minutes: input.minutes, by: 'operator', actorId: input.operatorId }, out)
    },

    /** No answer from the freelancer within 3 days: the client's position (0 minutes) stands. */
    async timeout(tx: Transaction, context: DeadlineContext, disputeId: string) {
      const dispute = await createTimesheetsRepository(tx).findDispute(disputeId, { lock: true })
      if (!dispute || dispute.state !== 'open' || dispute.respondedAt) return
      const ctx = await disputeFor(tx, disputeId, null)
      const out: Notify = []
      await resolve(tx, { ...ctx, dispute, minutes: 0, by: 'no_response', actorId: null }, out)
      timesheets.afterDeadline(out, context)
    },
  }
}

export type DisputesService = ReturnType<typeof createDisputesService>
