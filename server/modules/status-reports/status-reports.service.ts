import type { Database, Executor, Transaction } from '../../../db/client.js'
import { DAY, type Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Deadline, Scheduler } from '../../plugins/scheduler.js'
import { appendActivity } from '../activity/index.js'
import { roleIn, type Actor } from '../milestones/index.js'
import type { NotificationsService } from '../notifications/index.js'
import type { SettingsReader } from '../settings/index.js'
import { statusReportErrors } from './status-reports.errors.js'
import { noticeReportFiled } from './status-reports.notices.js'
import { createStatusReportsRepository } from './status-reports.repository.js'

/** The check of a week once its report is due (subject `<contract id>:<week start>`, one per week). */
export const STATUS_CHECK_KIND = 'status-report.check'

/** The Monday (UTC, `YYYY-MM-DD`) of the week holding `date`. */
export function mondayOf(date: Date): string {
  const day = (date.getUTCDay() + 6) % 7
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day))
    .toISOString()
    .slice(0, 10)
}

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY)

/** The first `weekday` (0 = Sunday) at `hour`:00 UTC at or after `from`. */
export function firstWeekdayAt(from: Date, weekday: number, hour: number): Date {
  const sameDay = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), hour)
  const at = sameDay + ((weekday - from.getUTCDay() + 7) % 7) * DAY
  return new Date(at < from.getTime() ? at + 7 * DAY : at)
}
const OPEN = new Set(['active', 'paused'])

/**
 * Weekly status reports on fixed-price contracts: the freelancer files one per week
 * (Monday to Sunday, UTC): work completed, progress (0-100 %), plans. A week's report is due
 * on the operator's weekday and hour after the week (default Monday 00:00 UTC); then a
 * durable deadline checks the week and flags it when no report was filed (activity
 * `status_report.missing`). The parties comment on reports.
 */
export function createStatusReportsService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  scheduler: Pick<Scheduler, 'schedule'>
  settings: SettingsReader
  notifications: Pick<NotificationsService, 'notify'>
}) {
  const { db, clock, ids } = deps

  async function partyContract(executor: Executor, contractId: string, actor: Actor) {
    const contract = await createStatusReportsRepository(executor).contract(contractId)
    const role = contract && roleIn(contract, actor)
    if (!contract || !role) throw statusReportErrors.contractNotFound()
    return { contract, role }
  }

  /** The week's check, due as the operator's settings say when it is scheduled (it keeps that date). */
  const scheduleCheck = async (tx: Executor, contractId: string, weekStart: string) => {
    const { statusReportDueWeekday, statusReportDueHour } = await deps.settings.getSettings(tx)
    const dueAt = firstWeekdayAt(addDays(weekStart, 7), statusReportDueWeekday, statusReportDueHour)
    await deps.scheduler.schedule(
      { kind: STATUS_CHECK_KIND, subject: `${contractId}:${weekStart}`, dueAt, payload: { contractId, weekStart } },
      tx,
    )
  }

  return {
    async file(input: {
      contractId: string
      actor: Actor
      workCompleted: string
      progress: number
      plans: string
      weekStart?: string
    }) {
      return db.transaction(async (tx) => {
        const { contract, role } = await partyContract(tx, input.contractId, input.actor)
        if (role !== 'freelancer') throw statusReportErrors.forbidden()
        if (contract.arrangement !== 'fixed') throw statusReportErrors.notFixed()
        if (!OPEN.has(contract.state)) throw statusReportErrors.contractNotActive(undefined, { state: contract.state })
        const now = clock.now()
        const weekStart = input.weekStart ?? mondayOf(now)
        const earliest = mondayOf(contract.acceptedAt ?? contract.offeredAt)
        if (
          mondayOf(new Date(`${weekStart}T00:00:00Z`)) !== weekStart ||
          weekStart > mondayOf(now) ||
          weekStart < earliest
        )
          throw statusReportErrors.badWeek()
        const report = await createStatusReportsRepository(tx).insert({
          id: ids.newId(),
          contractId: contract.id,
          authorId: input.actor.id,
          weekStart,
          workCompleted: input.workCompleted,
          progress: input.progress,
          plans: input.plans,
          createdAt: now,
        })
        if (!report) throw statusReportErrors.alreadyFiled(undefined, { weekStart })
        await appendActivity(tx, deps, {
          workroomId: contract.workroomId,
          actorId: input.actor.id,
          type: 'status_report.filed',
          scopeFreelancerId: contract.freelancerId,
          data: { contractId: contract.id, reportId: report.id, weekStart, progress: input.progress },
        })
        await noticeReportFiled(deps.notifications, tx, {
          contractId: contract.id,
          reportId: report.id,
          weekStart,
          progress: input.progress,
          authorId: input.actor.id,
        })
        return { contract, report }
      })
    },

    async comment(input: { reportId: string; actor: Actor; body: string }) {
      return db.transaction(async (tx) => {
        const repository = createStatusReportsRepository(tx)
        const report = await repository.find(input.reportId)
        const contract = report && (await repository.contract(report.contractId))
        const role = contract && roleIn(contract, input.actor)
        if (!report || !role) throw statusReportErrors.notFound()
        // Operators read reports (oversight of the money); only the parties talk about them.
        if (role === 'operator') throw statusReportErrors.forbidden()
        const comment = await repository.insertComment({
          id: ids.newId(),
          reportId: report.id,
          authorId: input.actor.id,
          body: input.body,
          createdAt: clock.now(),
        })
        await appendActivity(tx, deps, {
          workroomId: contract.workroomId,
          actorId: input.actor.id,
          type: 'status_report.commented',
          scopeFreelancerId: contract.freelancerId,
          data: { contractId: contract.id, reportId: report.id, commentId: comment.id },
        })
        return { contract, comment }
      })
    },

    async list(input: { contractId: string; actor: Actor; beforeWeek: string | null; limit: number }) {
      const { contract } = await partyContract(db, input.contractId, input.actor)
      const repository = createStatusReportsRepository(db)
      const reports = await repository.page(contract.id, input.beforeWeek, input.limit + 1)
      const page = reports.slice(0, input.limit)
      return {
        reports: page,
        more: reports.length > input.limit,
        comments: await repository.comments(page.map((r) => r.id)),
        missing: await repository.flags(contract.id),
        nextDue: await repository.nextCheck(STATUS_CHECK_KIND, contract.id),
      }
    },

    /** When a fixed-price contract's terms first bind: start the weekly checks with its first full week. */
    async startWeeklyChecks(tx: Executor, contractId: string): Promise<void> {
      const repository = createStatusReportsRepository(tx)
      const contract = await repository.contract(contractId)
      if (!contract || contract.arrangement !== 'fixed') return
      if (await repository.checkScheduled(STATUS_CHECK_KIND, contract.id)) return
      const now = clock.now()
      const thisMonday = mondayOf(now)
      const firstWeek =
        now.getTime() === addDays(thisMonday, 0).getTime()
          ? thisMonday
          : addDays(thisMonday, 7).toISOString().slice(0, 10)
      await scheduleCheck(tx, contract.id, firstWeek)
    },

    /** The week's check: flags it if no report was filed, then schedules next week's. */
    async check(
      tx: Transaction,
      deadline: Deadline,
    ): Promise<{ contractId: string; flagged: string | null; parties: string[]; workroomId: string } | null> {
      const { contractId, weekStart } = deadline.payload as { contractId: string; weekStart: string }
      const repository = createStatusReportsRepository(tx)
      const contract = await repository.contract(contractId)
      if (!contract || !OPEN.has(contract.state) || contract.arrangement !== 'fixed') return null
      let flagged: string | null = null
      if (
        contract.state === 'active' &&
        !(await repository.forWeek(contract.id, weekStart)) &&
        (await repository.flag(contract.id, weekStart, clock.now()))
      ) {
        flagged = weekStart
        await appendActivity(tx, deps, {
          workroomId: contract.workroomId,
          actorId: null,
          type: 'status_report.missing',
          scopeFreelancerId: contract.freelancerId,
          data: { contractId: contract.id, weekStart },
        })
      }
      await scheduleCheck(tx, contract.id, addDays(weekStart, 7).toISOString().slice(0, 10))
      return {
        contractId: contract.id,
        flagged,
        parties: [contract.clientId, contract.freelancerId],
        workroomId: contract.workroomId,
      }
    },
  }
}

export type StatusReportsService = ReturnType<typeof createStatusReportsService>
