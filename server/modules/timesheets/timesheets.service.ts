import type { Database, Executor, Transaction } from '../../../db/client.js'
import { coalescePerKey } from '../../batch.js'
import { AppError } from '../../http/errors.js'
import type { DeadlineContext, Scheduler } from '../../plugins/scheduler.js'
import { appendActivity } from '../activity/index.js'
import {
  AUTO_SUBMIT_KIND,
  contractFor,
  findContract,
  isoWeekLabel,
  loadWeek,
  reviewDeadlineOf,
  submitDueOf,
  type ContractRole,
  type HourlyContract,
  type LivePublisher,
  type WeekTotals,
} from '../tracker/index.js'
import { timesheetErrors } from './timesheets.errors.js'
import type { OpenWeeks } from './timesheets.live.js'
import type { TimesheetNotices } from './timesheets.notices.js'
import { billMinutes, feeOf, partiesOf, period, weekAmount, weekLines, type MoneyDeps } from './timesheets.money.js'
import { createTimesheetsRepository, type DisputeRow, type TimesheetRow } from './timesheets.repository.js'

export const AUTO_APPROVE_KIND = 'timesheet.auto_approve'
export const DISPUTE_TIMEOUT_KIND = 'timesheet.dispute_timeout'

export interface TimesheetsDeps extends MoneyDeps {
  db: Database
  scheduler: Pick<Scheduler, 'schedule' | 'cancel'>
  live: LivePublisher
  /** Re-reads the contract's timesheets into its live state; answers the open weeks it read (null if none were). */
  refreshState: (contractId: string) => Promise<OpenWeeks | null>
  notices: TimesheetNotices
}

export interface TimesheetView {
  sheet: TimesheetRow
  contract: HourlyContract
  /** Frozen at submit; live (recomputed) while the week is open. */
  totals: WeekTotals
  /** The submitted amount; while the week is open, the running amount (what submitting now would invoice). */
  amount: number | null
  dispute: DisputeRow | null
}

/** After-commit notifications, collected while the transaction runs. */
type Notify = Array<() => Promise<void>>

export function createTimesheetsService(deps: TimesheetsDeps) {
  const { db, clock, ids, scheduler, live } = deps
  const activityDeps = { clock, ids }

  const log = (
    tx: Executor,
    contract: HourlyContract,
    actorId: string | null,
    type: string,
    data: Record<string, unknown>,
  ) =>
    appendActivity(tx, activityDeps, {
      workroomId: contract.workroomId,
      actorId,
      type,
      scopeFreelancerId: contract.freelancerId,
      data: { contractId: contract.id, ...data },
    })

  const notify = (out: Notify, contract: HourlyContract, type: string, data: Record<string, unknown>) =>
    out.push(
      () =>
        live.publish([contract.clientId, contract.freelancerId], {
          type,
          workroomId: contract.workroomId,
          data: { contractId: contract.id, ...data },
        }),
      async () => void (await deps.refreshState(contract.id)),
    )

  const announceWeek = coalescePerKey(
    async ({ contractId, weekStart }: { contractId: string; weekStart: Date }) => {
      const open = await deps.refreshState(contractId)
      let week = open?.weeks.get(weekStart.getTime())
      let contract = open?.contract ?? null
      if (!week) {
        // The live state was not refreshed (no document engine) or did not read this week.
        contract ??= await findContract(db, contractId)
        if (!contract) return
        const { timesheet, totals } = await loadWeek(db, contract, weekStart)
        if (!timesheet) return
        week = { sheet: timesheet, totals }
      }
      const { sheet, totals } = week
      if (!contract || sheet.state !== 'open') return
      await live.publish([contract.clientId, contract.freelancerId], {
        type: 'timesheet.updated',
        workroomId: contract.workroomId,
        data: {
          contractId: contract.id,
          timesheetId: sheet.id,
          week: isoWeekLabel(sheet.weekStart),
          state: sheet.state,
          billableMinutes: totals.billableMinutes,
          overLimitMinutes: totals.overLimitMinutes,
          hourlyRate: contract.hourlyRate,
          amount: Number(weekAmount(totals, contract)),
          currency: sheet.currency,
        },
      })
    },
    (change) => `${change.contractId}|${change.weekStart.getTime()}`,
  )

  async function flush(out: Notify) {
    for (const send of out) await send()
  }

  /** A deadline handler's notifications go out once the scheduler committed its transaction. */
  function afterDeadline(out: Notify, context: DeadlineContext) {
    if (out.length > 0) context.afterCommit(() => flush(out))
  }

  /** The timesheet and contract as `userId` sees them; 404 unless a party. */
  async function sheetFor(executor: Executor, id: string, userId: string, opts: { lock?: boolean } = {}) {
    const sheet = await createTimesheetsRepository(executor).find(id, opts)
    if (!sheet) throw timesheetErrors.notFound()
    try {
      return { sheet, ...(await contractFor(executor, sheet.contractId, userId)) }
    } catch (err) {
      if (err instanceof AppError) throw timesheetErrors.notFound()
      throw err
    }
  }

  async function view(executor: Executor, sheet: TimesheetRow, contract: HourlyContract): Promise<TimesheetView> {
    const totals = sheet.totals
      ? (sheet.totals as WeekTotals)
      : (await loadWeek(executor, contract, sheet.weekStart)).totals
    const amount = sheet.amount ?? (sheet.state === 'open' ? Number(weekAmount(totals, contract)) : null)
    return { sheet, contract, totals, amount, dispute: await createTimesheetsRepository(executor).disputeOf(sheet.id) }
  }

  /**
   * Freezes the week (the tracker refuses its segments from now on: the row lock on the
   * timesheet orders this against uploads), computes the amount and creates the draft
   * invoice sent to the client. A week with nothing billable is approved at once.
   */
  async function submitLocked(
    tx: Transaction,
    input: {
      sheet: TimesheetRow
      contract: HourlyContract
      by: 'freelancer' | 'system'
      actorId: string | null
      notes?: string
    },
    out: Notify,
  ) {
    const { sheet, contract } = input
    if (sheet.state !== 'open') throw timesheetErrors.notOpen()
    const now = clock.now()
    const { totals } = await loadWeek(tx, contract, sheet.weekStart)
    const rate = contract.hourlyRate ?? 0
    const amount = weekAmount(totals, contract)
    const repository = createTimesheetsRepository(tx)
    const base = {
      hourlyRate: rate,
      totals,
      amount: Number(amount),
      submittedAt: now,
      submittedBy: input.by,
      updatedAt: now,
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
    }
    let updated: TimesheetRow
    let invoiceId: string | null = null
    if (amount === 0n) {
      updated = await repository.update(sheet.id, {
        ...base,
        state: 'approved',
        approvedAt: now,
        approvedBy: 'system',
        approvedMinutes: 0,
      })
    } else {
      // Set when the week's timesheet was created; weeks from before that keep the old rule.
      const reviewDueAt = sheet.reviewDueAt ?? reviewDeadlineOf(sheet.weekStart)
      const draftSheet = { ...sheet, ...base }
      const draft = await deps.invoices.issue(tx, {
        parties: partiesOf(contract),
        source: `timesheet:${sheet.id}`,
        currency: sheet.currency,
        lines: weekLines(draftSheet, contract, totals.billableMinutes, amount),
        feeAmount: await feeOf(tx, deps, amount),
        state: 'draft',
        ...period(sheet),
        note: input.notes ?? (sheet.notes || null),
      })
      invoiceId = draft.id
      updated = await repository.update(sheet.id, { ...base, state: 'submitted', reviewDueAt, invoiceIds: [draft.id] })
      await scheduler.schedule({ kind: AUTO_APPROVE_KIND, subject: sheet.id, dueAt: reviewDueAt }, tx)
    }
    if (input.by === 'freelancer') await scheduler.cancel(AUTO_SUBMIT_KIND, sheet.id, tx)
    const data = {
      timesheetId: sheet.id,
      week: isoWeekLabel(sheet.weekStart),
      billableMinutes: totals.billableMinutes,
      amount: Number(amount),
      invoiceId,
      auto: input.by === 'system',
    }
    await log(tx, contract, input.actorId, 'timesheet.submitted', data)
    notify(out, contract, 'timesheet.submitted', data)
    if (updated.state === 'submitted')
      await deps.notices.toReview(tx, out, updated, { minutes: totals.billableMinutes, auto: input.by === 'system' })
    return updated
  }

  /** Approves the whole week: its draft becomes the formal invoice, paid from the wallet. */
  async function approveLocked(
    tx: Transaction,
    input: { sheet: TimesheetRow; contract: HourlyContract; by: 'client' | 'system'; actorId: string | null },
    out: Notify,
  ) {
    const { sheet, contract } = input
    if (sheet.state !== 'submitted') throw timesheetErrors.notSubmitted()
    const totals = sheet.totals as WeekTotals
    const { invoice, payment } = await billMinutes(tx, deps, {
      sheet,
      contract,
      minutes: totals.billableMinutes,
      amount: BigInt(sheet.amount ?? 0),
      actorId: input.actorId,
      draftId: sheet.invoiceIds[0]!,
      source: `timesheet:${sheet.id}`,
    })
    const now = clock.now()
    const updated = await createTimesheetsRepository(tx).update(sheet.id, {
      state: 'approved',
      approvedAt: now,
      approvedBy: input.by,
      approvedMinutes: totals.billableMinutes,
      updatedAt: now,
    })
    await scheduler.cancel(AUTO_APPROVE_KIND, sheet.id, tx)
    const data = {
      timesheetId: sheet.id,
      week: isoWeekLabel(sheet.weekStart),
      invoiceId: invoice.id,
      number: invoice.number,
      amount: Number(invoice.total),
      payment,
      auto: input.by === 'system',
    }
    await log(tx, contract, input.actorId, 'timesheet.approved', data)
    notify(out, contract, 'timesheet.approved', data)
    await deps.notices.approved(tx, out, updated, { invoice, payment, auto: input.by === 'system' })
    return updated
  }

  /** Runs a deadline's work on an existing timesheet, if it still applies. */
  async function onDeadline(
    tx: Transaction,
    context: DeadlineContext,
    timesheetId: string,
    work: (sheet: TimesheetRow, contract: HourlyContract, out: Notify) => Promise<unknown>,
  ) {
    const sheet = await createTimesheetsRepository(tx).find(timesheetId, { lock: true })
    if (!sheet) return
    const contract = await findContract(tx, sheet.contractId)
    if (!contract) return
    const out: Notify = []
    await work(sheet, contract, out)
    afterDeadline(out, context)
  }

  return {
    view,
    sheetFor,
    log,
    notify,
    flush,
    afterDeadline,

    /** The week's submit deadline (default Monday 12:00 UTC): a week nobody submitted is submitted for them. */
    async autoSubmit(tx: Transaction, context: DeadlineContext, timesheetId: string) {
      await onDeadline(tx, context, timesheetId, async (sheet, contract, out) => {
        if (sheet.state === 'open') await submitLocked(tx, { sheet, contract, by: 'system', actorId: null }, out)
      })
    },

    /** The review window's end (default Saturday 00:00 UTC): a week neither approved nor disputed is approved. */
    async autoApprove(tx: Transaction, context: DeadlineContext, timesheetId: string) {
      await onDeadline(tx, context, timesheetId, async (sheet, contract, out) => {
        if (sheet.state === 'submitted') await approveLocked(tx, { sheet, contract, by: 'system', actorId: null }, out)
      })
    },

    /**
     * A week's tracked time changed (after commit): the live contract state and both
     * parties' event streams get the open week's running amount. A submitted week is
     * frozen: nothing to announce. Changes to one week that arrive while it is being
     * announced are announced together, once, right after.
     */
    weekChanged: announceWeek,

    async list(input: { contractId: string; userId: string }) {
      const { contract } = await contractFor(db, input.contractId, input.userId)
      const sheets = await createTimesheetsRepository(db).ofContract(contract.id)
      return Promise.all(sheets.map((sheet) => view(db, sheet, contract)))
    },

    async get(input: { id: string; userId: string }) {
      const { sheet, contract } = await sheetFor(db, input.id, input.userId)
      return view(db, sheet, contract)
    },

    /** The freelancer's notes on an open week. */
    async setNotes(input: { id: string; userId: string; notes: string }) {
      return db.transaction(async (tx) => {
        const { sheet, contract, role } = await sheetFor(tx, input.id, input.userId, { lock: true })
        if (role !== 'freelancer') throw timesheetErrors.freelancerOnly()
        if (sheet.state !== 'open') throw timesheetErrors.notOpen()
        const updated = await createTimesheetsRepository(tx).update(sheet.id, {
          notes: input.notes,
          updatedAt: clock.now(),
        })
        return view(tx, updated, contract)
      })
    },

    async submit(input: { id: string; userId: string; notes?: string }) {
      const out: Notify = []
      const result = await db.transaction(async (tx) => {
        const { sheet, contract, role } = await sheetFor(tx, input.id, input.userId, { lock: true })
        if (role !== 'freelancer') throw timesheetErrors.freelancerOnly()
        if (sheet.state !== 'open') throw timesheetErrors.notOpen()
        // Past the deadline the system submits (its deadline may simply not have run yet).
        if (clock.now() >= submitDueOf(sheet)) throw timesheetErrors.submitClosed()
        const updated = await submitLocked(
          tx,
          { sheet, contract, by: 'freelancer', actorId: input.userId, notes: input.notes },
          out,
        )
        return view(tx, updated, contract)
      })
      await flush(out)
      return result
    },

    /** The client approves: runs inside the idempotency transaction of the request. */
    async approve(tx: Transaction, input: { id: string; userId: string }, out: Notify) {
      const { sheet, contract, role } = await sheetFor(tx, input.id, input.userId, { lock: true })
      if (role !== 'client') throw timesheetErrors.clientOnly()
      // Approving after the window is harmless: it is what the deadline does anyway.
      const updated = await approveLocked(tx, { sheet, contract, by: 'client', actorId: input.userId }, out)
      return view(tx, updated, contract)
    },
  }
}

export type TimesheetsService = ReturnType<typeof createTimesheetsService>
export type { ContractRole, Notify }
