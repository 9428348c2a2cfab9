import type { Database, Executor } from '../../../db/client.js'
import type { MinuteActivity } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Scheduler } from '../../plugins/scheduler.js'
import type { SettingsReader } from '../settings/index.js'
import { computeWeek, type SegmentBilling, type WeekTotals } from './tracker.billing.js'
import { contractFor, type ContractRole, type HourlyContract } from './tracker.contracts.js'
import { segmentRejections, trackerErrors, type SegmentRejection } from './tracker.errors.js'
import type { LivePublisher, WeekChanged } from './tracker.live.js'
import {
  createTrackerRepository,
  type ScreenshotSummary,
  type SegmentRow,
  type TimesheetRow,
} from './tracker.repository.js'
import {
  isAligned,
  reviewDeadlineOf,
  SEGMENT_MS,
  submitDeadlineOf,
  submitDueOf,
  WEEK_MS,
  weekStartOf,
} from './tracker.week.js'

/** The durable deadline that submits a week nobody submitted by its submit deadline. */
export const AUTO_SUBMIT_KIND = 'timesheet.auto_submit'

/** A tracker's clock may run a little ahead of the server's; a segment may end this much "in the future". */
const CLOCK_SKEW_MS = 60_000
export const MAX_PER_MINUTE = 1000
export const MAX_MEMO = 500

export interface SegmentInput {
  start: string
  activity: Array<{ keys: number; pointer: number; tracked?: boolean }>
  memo?: string
  manual?: boolean
}

export interface TrackerDeps {
  db: Database
  clock: Clock
  ids: IdGenerator
  scheduler: Pick<Scheduler, 'schedule'>
  /** The week's submit and review deadlines come from the operator's settings when its timesheet is created. */
  settings: SettingsReader
  live: LivePublisher
  weekChanged: WeekChanged
}

export type WeekSegment = SegmentRow & { billing: SegmentBilling; screenshots: ScreenshotSummary[] }

/** A segment whose screenshots arrived before it was recorded (the tracker uploads a segment when it ends). */
export interface OpenSegment {
  start: Date
  memo: string
  activity: MinuteActivity[]
  screenshots: ScreenshotSummary[]
}

export interface WeekView {
  contract: HourlyContract
  role: ContractRole
  weekStart: Date
  timesheet: TimesheetRow | null
  segments: WeekSegment[]
  openSegments: OpenSegment[]
  totals: WeekTotals
}

/**
 * Makes sure the week's timesheet exists (setting its submit and review deadlines from the
 * operator's settings and scheduling its auto-submit when this creates it), locks it, and
 * says whether the week still takes changes. Every write to a week's time (segments,
 * screenshots) goes through this inside its transaction, so it cannot slip in after the
 * week was submitted.
 */
export async function lockWeekForWrite(
  tx: Executor,
  deps: { clock: Clock; ids: IdGenerator; scheduler: Pick<Scheduler, 'schedule'>; settings: SettingsReader },
  contract: Pick<HourlyContract, 'id' | 'currency'>,
  weekStart: Date,
): Promise<boolean> {
  const now = deps.clock.now()
  const repository = createTrackerRepository(tx)
  let sheet = await repository.lockTimesheet(contract.id, weekStart)
  if (!sheet) {
    const settings = await deps.settings.getSettings(tx)
    const submitDueAt = submitDeadlineOf(weekStart, settings.timesheetSubmitHour)
    if (now >= submitDueAt) return false
    const id = deps.ids.newId()
    const created = await repository.ensureTimesheet({
      id,
      contractId: contract.id,
      weekStart,
      state: 'open',
      currency: contract.currency,
      submitDueAt,
      reviewDueAt: reviewDeadlineOf(weekStart, settings.timesheetReviewDays),
      createdAt: now,
      updatedAt: now,
    })
    if (created) await deps.scheduler.schedule({ kind: AUTO_SUBMIT_KIND, subject: id, dueAt: submitDueAt }, tx)
    sheet = await repository.lockTimesheet(contract.id, weekStart)
  }
  return sheet?.state === 'open' && now < submitDueOf(sheet)
}

/** Why time starting at `start` cannot be recorded on this contract, or null. */
export function outsideContract(contract: HourlyContract, start: Date): SegmentRejection | null {
  const began = contract.acceptedAt ?? contract.offeredAt
  if (start.getTime() + SEGMENT_MS <= began.getTime()) return 'beforeContract'
  const stoppedAt =
    contract.state === 'ended' ? contract.endedAt : contract.state === 'paused' ? contract.updatedAt : null
  if (stoppedAt && start.getTime() >= stoppedAt.getTime()) return 'afterContract'
  return null
}

export function assertTracking(contract: HourlyContract): void {
  if (!['active', 'paused', 'ended'].includes(contract.state)) throw trackerErrors.notActive()
}

/** A week's totals only (what the live state and the week's event show): two reads, not loadWeek's four. */
export async function weekTotals(db: Executor, contract: HourlyContract, weekStart: Date): Promise<WeekTotals> {
  const repository = createTrackerRepository(db)
  const weekEnd = new Date(weekStart.getTime() + WEEK_MS)
  const [rows, screenshots] = await Promise.all([
    repository.segmentsBetween(contract.id, weekStart, weekEnd),
    repository.screenshotsBetween(contract.id, weekStart, weekEnd),
  ])
  return computeWeek(rows, screenshots, contract).totals
}

/** The week's segments with their screenshots and billing flags, and the totals. */
export async function loadWeek(
  db: Executor,
  contract: HourlyContract,
  weekStart: Date,
): Promise<Omit<WeekView, 'role' | 'contract'>> {
  const repository = createTrackerRepository(db)
  const weekEnd = new Date(weekStart.getTime() + WEEK_MS)
  const [rows, screenshots, timesheet, plans] = await Promise.all([
    repository.segmentsBetween(contract.id, weekStart, weekEnd),
    repository.screenshotsBetween(contract.id, weekStart, weekEnd),
    repository.findTimesheet(contract.id, weekStart),
    repository.plansBetween(contract.id, weekStart, weekEnd),
  ])
  const { segments, totals } = computeWeek(rows, screenshots, contract)
  const withShots = segments.map((segment) => ({
    ...segment,
    screenshots: screenshots.filter((shot) => shot.segmentStart.getTime() === segment.start.getTime()),
  }))
  const recorded = new Set(rows.map((row) => row.start.getTime()))
  const openStarts = [...new Set(screenshots.map((shot) => shot.segmentStart.getTime()))].filter(
    (t) => !recorded.has(t),
  )
  const openSegments = openStarts
    .sort((a, b) => a - b)
    .map((start) => {
      const plan = plans.find((p) => p.segmentStart.getTime() === start)
      return {
        start: new Date(start),
        memo: plan?.memo ?? '',
        activity: plan?.activity ?? [],
        screenshots: screenshots.filter((shot) => shot.segmentStart.getTime() === start),
      }
    })
  return { weekStart, timesheet, segments: withShots, openSegments, totals }
}

export function createTrackerService(deps: TrackerDeps) {
  const { db, clock, ids, scheduler, live, weekChanged } = deps

  function rejectionOf(input: SegmentInput, contract: HourlyContract, now: Date): { start: Date } | SegmentRejection {
    const start = new Date(input.start)
    if (Number.isNaN(start.getTime())) return 'invalidStart'
    if (!isAligned(start)) return 'misaligned'
    if (start.getTime() + SEGMENT_MS > now.getTime() + CLOCK_SKEW_MS) return 'future'
    const outside = outsideContract(contract, start)
    if (outside) return outside
    if (input.activity.length !== 10) return 'badActivity'
    if (input.activity.some((m) => m.keys > MAX_PER_MINUTE || m.pointer > MAX_PER_MINUTE)) return 'activityOutOfBounds'
    if (input.activity.every((m) => m.tracked === false)) return 'nothingTracked'
    if ((input.memo ?? '').length > MAX_MEMO) return 'memoTooLong'
    if (input.manual && !contract.manualTimeAllowed) return 'manualNotAllowed'
    return { start }
  }

  return {
    /**
     * Stores a batch of segments, idempotent by (contract, start). Each segment is accepted
     * or rejected on its own; the valid ones are kept even when others are refused.
     */
    async uploadSegments(input: { contractId: string; userId: string; segments: SegmentInput[] }) {
      const outcome = await db.transaction(async (tx) => {
        const { contract, role } = await contractFor(tx, input.contractId, input.userId)
        if (role !== 'freelancer') throw trackerErrors.freelancerOnly()
        assertTracking(contract)
        const now = clock.now()
        const accepted: Array<{ start: string; id: string }> = []
        const rejected: Array<{ start: string; code: string; message: string }> = []
        const reject = (start: string, reason: SegmentRejection) => {
          const [code, message] = segmentRejections[reason]
          rejected.push({ start, code, message })
        }
        const seen = new Set<number>()
        const byWeek = new Map<number, Array<{ input: SegmentInput; start: Date }>>()
        for (const segment of input.segments) {
          const checked = rejectionOf(segment, contract, now)
          if (typeof checked === 'string') {
            reject(segment.start, checked)
            continue
          }
          const key = checked.start.getTime()
          if (seen.has(key)) {
            reject(segment.start, 'duplicate')
            continue
          }
          seen.add(key)
          const week = weekStartOf(checked.start).getTime()
          byWeek.set(week, [...(byWeek.get(week) ?? []), { input: segment, start: checked.start }])
        }
        const repository = createTrackerRepository(tx)
        // Weeks in time order, so two batches lock the same weeks in the same order.
        for (const week of [...byWeek.keys()].sort((a, b) => a - b)) {
          const items = byWeek.get(week)!
          if (
            !(await lockWeekForWrite(tx, { clock, ids, scheduler, settings: deps.settings }, contract, new Date(week)))
          ) {
            for (const item of items) reject(item.input.start, 'weekLocked')
            continue
          }
          const stored = await repository.upsertSegments(
            items.map(({ input: segment, start }) => ({
              id: ids.newId(),
              contractId: contract.id,
              start,
              activity: segment.activity.map((m) => ({
                keys: m.keys,
                pointer: m.pointer,
                ...(m.tracked === false ? { tracked: false as const } : {}),
              })),
              memo: segment.memo ?? '',
              manual: segment.manual ?? false,
              createdAt: now,
              updatedAt: now,
            })),
          )
          for (const row of stored) accepted.push({ start: row.start.toISOString(), id: row.id })
        }
        return { contract, accepted, rejected }
      })
      const { contract, accepted, rejected } = outcome
      // A batch refused only because its week is locked is a conflict, not a partial success.
      if (
        accepted.length === 0 &&
        rejected.length > 0 &&
        rejected.every((r) => r.code === segmentRejections.weekLocked[0])
      ) {
        throw trackerErrors.weekLocked(undefined, { accepted, rejected })
      }
      if (accepted.length > 0) {
        await live.publish([contract.clientId, contract.freelancerId], {
          type: 'segments.updated',
          workroomId: contract.workroomId,
          data: { contractId: contract.id, starts: accepted.map((a) => a.start) },
        })
        const weeks = new Set(accepted.map((a) => weekStartOf(new Date(a.start)).getTime()))
        for (const week of [...weeks].sort((a, b) => a - b))
          await weekChanged({ contractId: contract.id, weekStart: new Date(week) })
      }
      return { accepted, rejected }
    },

    /** Removes one segment (the freelancer adjusting a week before it is submitted). */
    async deleteSegment(input: { contractId: string; userId: string; start: string }) {
      const start = new Date(input.start)
      if (Number.isNaN(start.getTime())) throw trackerErrors.badStart()
      const contract = await db.transaction(async (tx) => {
        const { contract, role } = await contractFor(tx, input.contractId, input.userId)
        if (role !== 'freelancer') throw trackerErrors.freelancerOnly()
        if (
          !(await lockWeekForWrite(
            tx,
            { clock, ids, scheduler, settings: deps.settings },
            contract,
            weekStartOf(start),
          ))
        )
          throw trackerErrors.weekLocked()
        if (!(await createTrackerRepository(tx).deleteSegment(contract.id, start)))
          throw trackerErrors.segmentNotFound()
        return contract
      })
      await live.publish([contract.clientId, contract.freelancerId], {
        type: 'segments.updated',
        workroomId: contract.workroomId,
        data: { contractId: contract.id, starts: [start.toISOString()], deleted: true },
      })
      await weekChanged({ contractId: contract.id, weekStart: weekStartOf(start) })
    },

    /** A week of a contract, for either party. */
    async week(input: { contractId: string; userId: string; weekStart: Date | null }): Promise<WeekView> {
      const { contract, role } = await contractFor(db, input.contractId, input.userId)
      const weekStart = input.weekStart ?? weekStartOf(clock.now())
      return { contract, role, ...(await loadWeek(db, contract, weekStart)) }
    },
  }
}

export type TrackerService = ReturnType<typeof createTrackerService>
