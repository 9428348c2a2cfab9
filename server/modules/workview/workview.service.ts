import { Readable } from 'node:stream'
import type { Database, Executor } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import { AppError } from '../../http/errors.js'
import type { IdGenerator } from '../../ids.js'
import type { Scheduler } from '../../plugins/scheduler.js'
import type { FileStore } from '../../plugins/storage/storage.types.js'
import type { SettingsReader } from '../settings/index.js'
import { appendActivity } from '../activity/index.js'
import {
  assertTracking,
  contractFor,
  isAligned,
  lockWeekForWrite,
  outsideContract,
  SEGMENT_MS,
  weekStartOf,
  type HourlyContract,
  type LivePublisher,
  type WeekChanged,
} from '../tracker/index.js'
import type { MinuteActivity } from '../../../db/schema/index.js'
import { assertNearMoment } from './workview.capture.js'
import { workviewErrors } from './workview.errors.js'
import { DEFAULT_SCREENSHOTS_PER_SEGMENT, progressView } from './workview.segments.js'
import { blurImage, inspectImage, makeThumbnail, MAX_IMAGE_BYTES, type ImageInfo } from './workview.images.js'
import {
  createWorkviewRepository,
  type CapturePlanRow,
  type CommentRow,
  type ScreenshotRow,
} from './workview.repository.js'

/** Hard cap per segment, whatever the schedule says (retries and manual captures included). */
export const MAX_SCREENSHOTS_PER_SEGMENT = 3
const CLOCK_SKEW_MS = 60_000

export interface WorkviewDeps {
  db: Database
  clock: Clock
  ids: IdGenerator
  scheduler: Pick<Scheduler, 'schedule'>
  settings: SettingsReader
  storage: FileStore
  live: LivePublisher
  /** Screenshots decide which segments count and which are protected: the week's totals change. */
  weekChanged: WeekChanged
}

export function screenshotView(row: ScreenshotRow) {
  const stored = row.state !== 'deleted'
  return {
    id: row.id,
    contractId: row.contractId,
    segmentStart: row.segmentStart.toISOString(),
    capturedAt: row.capturedAt.toISOString(),
    state: row.state,
    blurred: row.blurred,
    contentType: row.contentType,
    width: row.width,
    height: row.height,
    size: row.size,
    rejectReason: row.rejectReason,
    imageUrl: stored ? `/api/v1/screenshots/${row.id}/image` : null,
    thumbnailUrl: stored ? `/api/v1/screenshots/${row.id}/thumbnail` : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function commentView(row: CommentRow) {
  return {
    id: row.id,
    screenshotId: row.screenshotId,
    authorId: row.authorId,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
  }
}

const parties = (contract: HourlyContract) => [contract.clientId, contract.freelancerId]

export function createWorkviewService(deps: WorkviewDeps) {
  const { db, clock, ids, scheduler, storage, live, weekChanged } = deps
  const changedWeekOf = (contract: HourlyContract, row: ScreenshotRow) =>
    weekChanged({ contractId: contract.id, weekStart: weekStartOf(row.segmentStart) })
  const activityDeps = { clock, ids }

  const log = (tx: Executor, contract: HourlyContract, actorId: string, type: string, data: Record<string, unknown>) =>
    appendActivity(tx, activityDeps, {
      workroomId: contract.workroomId,
      actorId,
      type,
      scopeFreelancerId: contract.freelancerId,
      data: { contractId: contract.id, ...data },
    })

  const publish = (contract: HourlyContract, type: string, data: Record<string, unknown>) =>
    live.publish(parties(contract), {
      type,
      workroomId: contract.workroomId,
      data: { contractId: contract.id, ...data },
    })

  /** The screenshot and its contract as seen by `userId`: 404 unless they are a party. */
  async function screenshotFor(executor: Executor, id: string, userId: string, opts: { lock?: boolean } = {}) {
    const row = await createWorkviewRepository(executor).find(id, opts)
    if (!row) throw workviewErrors.notFound()
    try {
      return { row, ...(await contractFor(executor, row.contractId, userId)) }
    } catch (err) {
      // Not a party: the screenshot does not exist for them.
      if (err instanceof AppError) throw workviewErrors.notFound()
      throw err
    }
  }

  async function putImage(key: string, bytes: Buffer, contentType: string) {
    await storage.put(key, Readable.from([bytes]), { maxBytes: MAX_IMAGE_BYTES + 1, contentType })
  }

  return {
    /**
     * Stores one screenshot of a segment with its thumbnail. The image is checked from its
     * magic bytes and header, then decoded once for the thumbnail, all before anything is
     * stored; a retried upload of the same capture returns the first one.
     */
    async upload(input: {
      contractId: string
      userId: string
      segmentStart: string
      capturedAt: string
      bytes: Buffer
      /** The segment's activity and memo so far (the client sees them with the screenshot). */
      activity?: MinuteActivity[]
      memo?: string
    }) {
      const { contract, role } = await contractFor(db, input.contractId, input.userId)
      if (role !== 'freelancer') throw workviewErrors.freelancerOnly()
      assertTracking(contract)
      const segmentStart = new Date(input.segmentStart)
      const capturedAt = new Date(input.capturedAt)
      if (Number.isNaN(segmentStart.getTime()) || !isAligned(segmentStart)) throw workviewErrors.misaligned()
      if (Number.isNaN(capturedAt.getTime())) throw workviewErrors.badForm('capturedAt must be a date-time')
      if (capturedAt < segmentStart || capturedAt.getTime() >= segmentStart.getTime() + SEGMENT_MS)
        throw workviewErrors.capturedOutside()
      if (capturedAt.getTime() > clock.now().getTime() + CLOCK_SKEW_MS) throw workviewErrors.future()
      if (outsideContract(contract, segmentStart)) throw workviewErrors.outsideContract()
      const repository = createWorkviewRepository(db)
      const plan = await repository.findPlan(contract.id, segmentStart)
      assertNearMoment(plan ? plan.moments.map((m) => new Date(m)) : null, capturedAt)
      const existing = await repository.findByCapture(contract.id, capturedAt)
      if (existing) return { created: false, screenshot: screenshotView(existing) }

      const info = await inspectImage(input.bytes)
      const thumbnail = await makeThumbnail(input.bytes)
      const id = ids.newId()
      const imageKey = `workview/${contract.id}/${id}/image`
      const thumbnailKey = `workview/${contract.id}/${id}/thumbnail`
      const discardFiles = () => Promise.allSettled([storage.delete(imageKey), storage.delete(thumbnailKey)])
      let outcome: { created: boolean; row: ScreenshotRow; progress?: CapturePlanRow | null }
      try {
        await putImage(imageKey, input.bytes, info.contentType)
        await putImage(thumbnailKey, thumbnail, 'image/webp')
        outcome = await db.transaction(async (tx) => {
          if (
            !(await lockWeekForWrite(
              tx,
              { clock, ids, scheduler, settings: deps.settings },
              contract,
              weekStartOf(segmentStart),
            ))
          )
            throw workviewErrors.weekLocked()
          const txRepository = createWorkviewRepository(tx)
          const limit = Math.min(MAX_SCREENSHOTS_PER_SEGMENT, plan?.moments.length ?? 0)
          if ((await txRepository.countInSegment(contract.id, segmentStart)) >= limit)
            throw workviewErrors.segmentFull(`This segment takes at most ${limit} screenshot${limit === 1 ? '' : 's'}`)
          const now = clock.now()
          const row = await txRepository.insertScreenshot({
            id,
            contractId: contract.id,
            segmentStart,
            capturedAt,
            state: 'active',
            imageKey,
            thumbnailKey,
            contentType: info.contentType,
            width: info.width,
            height: info.height,
            size: input.bytes.length,
            createdAt: now,
            updatedAt: now,
          })
          // Lost a race with the same capture uploaded at the same moment: that one stands.
          if (!row) return { created: false, row: (await txRepository.findByCapture(contract.id, capturedAt))! }
          const progress =
            input.activity || input.memo !== undefined
              ? await txRepository.recordProgress(contract.id, segmentStart, {
                  ...(input.activity ? { activity: input.activity } : {}),
                  ...(input.memo !== undefined ? { memo: input.memo } : {}),
                  updatedAt: now,
                })
              : plan
          await log(tx, contract, input.userId, 'screenshot.uploaded', {
            screenshotId: id,
            segmentStart: segmentStart.toISOString(),
          })
          return { created: true, row, progress }
        })
      } catch (err) {
        await discardFiles()
        throw err
      }
      if (!outcome.created) {
        await discardFiles()
        return { created: false, screenshot: screenshotView(outcome.row) }
      }
      const screenshot = screenshotView(outcome.row)
      // The segment's activity so far rides along: the client sees it before the segment is recorded.
      await publish(contract, 'screenshot.created', {
        screenshot,
        segment: progressView(outcome.progress ?? null, segmentStart),
      })
      await changedWeekOf(contract, outcome.row)
      return { created: true, screenshot }
    },

    async get(input: { id: string; userId: string }) {
      const { row } = await screenshotFor(db, input.id, input.userId)
      const comments = await createWorkviewRepository(db).comments(row.id)
      return { ...screenshotView(row), comments: comments.map(commentView) }
    },

    /** The stored image or thumbnail, for the contract's two parties only. */
    async open(input: { id: string; userId: string; variant: 'image' | 'thumbnail' }) {
      const { row } = await screenshotFor(db, input.id, input.userId)
      if (row.state === 'deleted') throw workviewErrors.notFound()
      const key = input.variant === 'image' ? row.imageKey : row.thumbnailKey
      const stream = await storage.get(key).catch(() => {
        throw workviewErrors.notFound()
      })
      return { stream, contentType: input.variant === 'image' ? row.contentType : 'image/webp', row }
    },

    /** Replaces the stored image and thumbnail with blurred ones (the original is gone). */
    async blur(input: { id: string; userId: string }) {
      const { row: before, contract, role } = await screenshotFor(db, input.id, input.userId)
      if (role !== 'freelancer') throw workviewErrors.freelancerOnly()
      if (before.state === 'deleted') throw workviewErrors.notActive()
      const original = Buffer.concat(await (await storage.get(before.imageKey)).toArray())
      const info: ImageInfo = {
        contentType: before.contentType as ImageInfo['contentType'],
        width: before.width,
        height: before.height,
      }
      const blurred = await blurImage(original, info)
      const thumbnail = await makeThumbnail(blurred)
      const row = await db.transaction(async (tx) => {
        const { row: current } = await screenshotFor(tx, input.id, input.userId, { lock: true })
        if (current.state === 'deleted') throw workviewErrors.notActive()
        await putImage(current.imageKey, blurred, current.contentType)
        await putImage(current.thumbnailKey, thumbnail, 'image/webp')
        const updated = await createWorkviewRepository(tx).update(current.id, {
          blurred: true,
          size: blurred.length,
          updatedAt: clock.now(),
        })
        await log(tx, contract, input.userId, 'screenshot.blurred', { screenshotId: current.id })
        return updated
      })
      const screenshot = screenshotView(row)
      await publish(contract, 'screenshot.updated', { screenshot })
      return screenshot
    },

    /** The freelancer deletes a screenshot: its files go, and its segment stops counting. */
    async remove(input: { id: string; userId: string }) {
      const { contract, row } = await db.transaction(async (tx) => {
        const { row: current, contract, role } = await screenshotFor(tx, input.id, input.userId, { lock: true })
        if (role !== 'freelancer') throw workviewErrors.freelancerOnly()
        if (current.state !== 'active') throw workviewErrors.notActive()
        if (
          !(await lockWeekForWrite(
            tx,
            { clock, ids, scheduler, settings: deps.settings },
            contract,
            weekStartOf(current.segmentStart),
          ))
        )
          throw workviewErrors.weekLocked()
        const row = await createWorkviewRepository(tx).update(current.id, { state: 'deleted', updatedAt: clock.now() })
        await log(tx, contract, input.userId, 'screenshot.deleted', {
          screenshotId: current.id,
          segmentStart: current.segmentStart.toISOString(),
        })
        return { contract, row }
      })
      // After commit: a failed delete leaves an unreachable file, never a reachable one.
      await Promise.allSettled([storage.delete(row.imageKey), storage.delete(row.thumbnailKey)])
      await publish(contract, 'screenshot.deleted', { screenshot: screenshotView(row) })
      await changedWeekOf(contract, row)
    },

    /** The client rejects a screenshot: its segment leaves the billable time. */
    async reject(input: { id: string; userId: string; reason?: string }) {
      const { contract, row } = await db.transaction(async (tx) => {
        const { row: current, contract, role } = await screenshotFor(tx, input.id, input.userId, { lock: true })
        if (role !== 'client') throw workviewErrors.clientOnly()
        if (current.state !== 'active') throw workviewErrors.notActive()
        if (
          !(await lockWeekForWrite(
            tx,
            { clock, ids, scheduler, settings: deps.settings },
            contract,
            weekStartOf(current.segmentStart),
          ))
        )
          throw workviewErrors.weekLocked()
        const row = await createWorkviewRepository(tx).update(current.id, {
          state: 'rejected',
          rejectReason: input.reason ?? null,
          updatedAt: clock.now(),
        })
        await log(tx, contract, input.userId, 'screenshot.rejected', {
          screenshotId: current.id,
          segmentStart: current.segmentStart.toISOString(),
        })
        return { contract, row }
      })
      const screenshot = screenshotView(row)
      await publish(contract, 'screenshot.rejected', { screenshot })
      await changedWeekOf(contract, row)
      return screenshot
    },

    async comment(input: { id: string; userId: string; body: string }) {
      const { contract, comment } = await db.transaction(async (tx) => {
        const { row, contract } = await screenshotFor(tx, input.id, input.userId)
        if (row.state === 'deleted') throw workviewErrors.notFound()
        const comment = await createWorkviewRepository(tx).insertComment({
          id: ids.newId(),
          screenshotId: row.id,
          authorId: input.userId,
          body: input.body,
          createdAt: clock.now(),
        })
        await log(tx, contract, input.userId, 'screenshot.commented', { screenshotId: row.id, commentId: comment.id })
        return { contract, comment }
      })
      const view = commentView(comment)
      await publish(contract, 'screenshot.commented', { comment: view })
      return view
    },

    async settings(input: { contractId: string; userId: string }) {
      const { contract } = await contractFor(db, input.contractId, input.userId)
      const count = await createWorkviewRepository(db).screenshotsPerSegment(contract.id)
      return {
        contractId: contract.id,
        screenshotsPerSegment: count ?? DEFAULT_SCREENSHOTS_PER_SEGMENT,
        segmentMinutes: SEGMENT_MS / 60_000,
        maxImageBytes: MAX_IMAGE_BYTES,
      }
    },

    /** The client sets how many screenshots the tracker takes per segment (0-3); it applies from the next capture. */
    async setScreenshotsPerSegment(input: { contractId: string; userId: string; screenshotsPerSegment: number }) {
      const contract = await db.transaction(async (tx) => {
        const { contract, role } = await contractFor(tx, input.contractId, input.userId)
        if (role !== 'client') throw workviewErrors.clientOnly()
        await createWorkviewRepository(tx).setScreenshotsPerSegment(
          contract.id,
          input.screenshotsPerSegment,
          clock.now(),
        )
        await log(tx, contract, input.userId, 'workview.settings_changed', {
          screenshotsPerSegment: input.screenshotsPerSegment,
        })
        return contract
      })
      await publish(contract, 'workview.settings_changed', { screenshotsPerSegment: input.screenshotsPerSegment })
      return this.settings(input)
    },
  }
}

export type WorkviewService = ReturnType<typeof createWorkviewService>
