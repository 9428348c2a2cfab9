import { stringify } from 'csv-stringify/sync'
import type { Executor } from '../../../db/client.js'
import { spreadsheetSafe as safe } from '../../http/csv.js'
import { computeWeek, type WeekTotals } from './tracker.billing.js'
import { contractFor } from './tracker.contracts.js'
import { createTrackerRepository, type TimesheetRow } from './tracker.repository.js'
import { screenshotRef, toSegmentView } from './tracker.schemas.js'
import { isoWeekLabel, WEEK_MS, weekStartOf } from './tracker.week.js'

/**
 * The work diary of a contract: every segment (with its billing flags, recomputed by the
 * same rules as the week view), its screenshots as links, memos and the timesheets. Either
 * party may export it at any time, also after the contract ended.
 */
export async function buildWorkDiary(
  db: Executor,
  input: { contractId: string; userId: string; publicUrl: string; now: Date },
) {
  const { contract } = await contractFor(db, input.contractId, input.userId)
  const repository = createTrackerRepository(db)
  const [segments, screenshots, timesheets] = await Promise.all([
    repository.allSegments(contract.id),
    repository.allScreenshots(contract.id),
    repository.allTimesheets(contract.id),
  ])
  const weeks = new Map<number, typeof segments>()
  for (const segment of segments) {
    const key = weekStartOf(segment.start).getTime()
    weeks.set(key, [...(weeks.get(key) ?? []), segment])
  }
  for (const sheet of timesheets) if (!weeks.has(sheet.weekStart.getTime())) weeks.set(sheet.weekStart.getTime(), [])
  const link = (path: string | null) => (path ? `${input.publicUrl}${path}` : null)
  const sheetByWeek = new Map(timesheets.map((sheet) => [sheet.weekStart.getTime(), sheet]))
  const out = [...weeks.keys()]
    .sort((a, b) => a - b)
    .map((week) => {
      const weekStart = new Date(week)
      const weekEnd = new Date(week + WEEK_MS)
      const shots = screenshots.filter((s) => s.segmentStart >= weekStart && s.segmentStart < weekEnd)
      const computed = computeWeek(weeks.get(week)!, shots, contract)
      const sheet = sheetByWeek.get(week) ?? null
      return {
        week: isoWeekLabel(weekStart),
        weekStart: weekStart.toISOString(),
        timesheet: sheet ? timesheetSummary(sheet) : null,
        totals: computed.totals satisfies WeekTotals,
        segments: computed.segments.map((segment) => {
          const view = toSegmentView({
            ...segment,
            screenshots: shots.filter((s) => s.segmentStart.getTime() === segment.start.getTime()),
          })
          return {
            ...view,
            screenshots: view.screenshots.map((s) => ({
              ...s,
              imageUrl: link(s.imageUrl),
              thumbnailUrl: link(s.thumbnailUrl),
            })),
          }
        }),
      }
    })
  return {
    contract: {
      id: contract.id,
      state: contract.state,
      currency: contract.currency,
      hourlyRate: contract.hourlyRate,
      weeklyLimitMinutes: contract.weeklyLimitMinutes,
      manualTimeAllowed: contract.manualTimeAllowed,
      clientId: contract.clientId,
      freelancerId: contract.freelancerId,
    },
    exportedAt: input.now.toISOString(),
    weeks: out,
    screenshots: screenshots.map((shot) => {
      const ref = screenshotRef(shot)
      return {
        ...ref,
        segmentStart: shot.segmentStart.toISOString(),
        imageUrl: link(ref.imageUrl),
        thumbnailUrl: link(ref.thumbnailUrl),
      }
    }),
  }
}

export type WorkDiary = Awaited<ReturnType<typeof buildWorkDiary>>

function timesheetSummary(sheet: TimesheetRow) {
  return {
    id: sheet.id,
    state: sheet.state,
    notes: sheet.notes,
    amount: sheet.amount,
    currency: sheet.currency,
    submittedAt: sheet.submittedAt?.toISOString() ?? null,
    submittedBy: sheet.submittedBy,
    approvedAt: sheet.approvedAt?.toISOString() ?? null,
    approvedBy: sheet.approvedBy,
    invoiceIds: sheet.invoiceIds,
  }
}

const csvColumns = [
  'week',
  'start',
  'end',
  'manual',
  'memo',
  'key_presses',
  'pointer_events',
  'active_minutes',
  'billable_minutes',
  'over_limit_minutes',
  'not_billable_reasons',
  'protected',
  'unprotected_reasons',
  'screenshots',
  'timesheet_state',
  'timesheet_notes',
]

/** One row per segment. Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe. */
export function workDiaryCsv(diary: WorkDiary): string {
  const rows = diary.weeks.flatMap((week) =>
    week.segments.map((segment) => [
      week.week,
      segment.start,
      segment.end,
      segment.manual,
      safe(segment.memo),
      segment.activity.reduce((n, m) => n + m.keys, 0),
      segment.activity.reduce((n, m) => n + m.pointer, 0),
      segment.activeMinutes,
      segment.billableMinutes,
      segment.overLimitMinutes,
      segment.notBillableReasons.join(' '),
      segment.protected,
      segment.unprotectedReasons.join(' '),
      segment.screenshots.map((s) => `${s.state}:${s.imageUrl ?? s.id}`).join(' '),
      week.timesheet?.state ?? '',
      safe(week.timesheet?.notes ?? ''),
    ]),
  )
  return stringify([csvColumns, ...rows], { cast: { boolean: (value) => (value ? 'true' : 'false') } })
}
