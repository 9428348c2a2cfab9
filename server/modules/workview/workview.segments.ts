import type { Database } from '../../../db/client.js'
import type { MinuteActivity } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'
import { assertTracking, contractFor, isAligned, outsideContract } from '../tracker/index.js'
import { assertOpenable, cryptoRandomInt, EARLY_MS, LATE_MS, pickMoments, type RandomInt } from './workview.capture.js'
import { workviewErrors } from './workview.errors.js'
import { createWorkviewRepository, type CapturePlanRow } from './workview.repository.js'

export const DEFAULT_SCREENSHOTS_PER_SEGMENT = 1

/** Activity the tracker reports before the segment is recorded: at most ten minutes, bounded counts. */
export function parseActivity(value: unknown): MinuteActivity[] {
  if (!Array.isArray(value) || value.length > 10) throw workviewErrors.badActivity()
  return value.map((minute: unknown) => {
    const m = minute as { keys?: unknown; pointer?: unknown; tracked?: unknown }
    const count = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 1000
    if (!m || typeof m !== 'object' || !count(m.keys) || !count(m.pointer)) throw workviewErrors.badActivity()
    if (m.tracked !== undefined && typeof m.tracked !== 'boolean') throw workviewErrors.badActivity()
    return {
      keys: m.keys as number,
      pointer: m.pointer as number,
      ...(m.tracked === false ? { tracked: false as const } : {}),
    }
  })
}

/** What the client sees of a segment before it is recorded: the activity and memo so far. */
export function progressView(plan: CapturePlanRow | null, segmentStart: Date) {
  const activity = plan?.activity ?? []
  return {
    start: segmentStart.toISOString(),
    memo: plan?.memo ?? '',
    activity,
    activeMinutes: activity.filter((m) => m.keys + m.pointer > 0).length,
  }
}

/**
 * Opening (or continuing) a tracked segment: the server picks its capture moments the first
 * time and answers the same ones after, with its own time so the tracker can correct its clock.
 */
export function createSegmentPlans(deps: { db: Database; clock: Clock; random?: RandomInt }) {
  const { db, clock } = deps
  const random = deps.random ?? cryptoRandomInt
  return {
    async open(input: {
      contractId: string
      userId: string
      segmentStart: string
      activity?: MinuteActivity[]
      memo?: string
    }) {
      const { contract, role } = await contractFor(db, input.contractId, input.userId)
      if (role !== 'freelancer') throw workviewErrors.freelancerOnly()
      assertTracking(contract)
      const segmentStart = new Date(input.segmentStart)
      if (Number.isNaN(segmentStart.getTime()) || !isAligned(segmentStart)) throw workviewErrors.misaligned()
      if (outsideContract(contract, segmentStart)) throw workviewErrors.outsideContract()
      const now = clock.now()
      assertOpenable(segmentStart, now)
      const repository = createWorkviewRepository(db)
      const count = (await repository.screenshotsPerSegment(contract.id)) ?? DEFAULT_SCREENSHOTS_PER_SEGMENT
      let plan = await repository.ensurePlan({
        contractId: contract.id,
        segmentStart,
        moments: pickMoments({ segmentStart, from: now, count, random }).map((m) => m.toISOString()),
        activity: input.activity ?? null,
        memo: input.memo ?? '',
        createdAt: now,
        updatedAt: now,
      })
      if ((input.activity || input.memo !== undefined) && plan.createdAt.getTime() !== now.getTime()) {
        plan =
          (await repository.recordProgress(contract.id, segmentStart, {
            ...(input.activity ? { activity: input.activity } : {}),
            ...(input.memo !== undefined ? { memo: input.memo } : {}),
            updatedAt: now,
          })) ?? plan
      }
      return {
        contractId: contract.id,
        segmentStart: segmentStart.toISOString(),
        captureMoments: plan.moments,
        earlySeconds: EARLY_MS / 1000,
        lateSeconds: LATE_MS / 1000,
        serverTime: now.toISOString(),
      }
    },
  }
}

export type SegmentPlans = ReturnType<typeof createSegmentPlans>
