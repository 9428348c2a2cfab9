import { createCaptureSchedule, SEGMENT_MS, type CaptureSchedule } from '../../../workview/capture-schedule.js'
import { ScreenCapture } from './tracker-capture.js'
import { TrackerOutbox, type OutboxStatus } from './tracker-outbox.js'
import { trackerQueue, type MinuteActivity, type QueuedSegment } from './tracker-queue.js'

/**
 * The in-browser tracker of one hourly contract: counts input per minute into the current
 * 10-minute segment, grabs a Work View frame (tracker-capture.ts) at the schedule's random
 * instants, and keeps both in the IndexedDB outbox, which tracker-outbox.ts uploads. Time
 * comes only from Date.now/setTimeout, so tests can drive it with Playwright's clock.
 */

export interface TrackerStatus extends OutboxStatus {
  running: boolean
  segmentStart: string | null
  activity: MinuteActivity[]
  memo: string
  sharing: 'off' | 'on' | 'ended'
  captures: number
  lastCaptureAt: string | null
}

/** Pointer moves are many per second: count at most one per this many ms, like a key press. */
const POINTER_MOVE_MS = 500

const alignedStart = (at: number) => at - (at % SEGMENT_MS)
const zeros = (): MinuteActivity[] => Array.from({ length: 10 }, () => ({ keys: 0, pointer: 0 }))

export class Tracker {
  private status: TrackerStatus = {
    running: false,
    segmentStart: null,
    activity: zeros(),
    memo: '',
    sharing: 'off',
    queuedSegments: 0,
    queuedShots: 0,
    waitingSegments: 0,
    online: typeof navigator === 'undefined' ? true : navigator.onLine,
    captures: 0,
    lastCaptureAt: null,
    lastUploadAt: null,
    lastError: null,
    retryAt: null,
    refused: [],
  }
  private listeners = new Set<(status: TrackerStatus) => void>()
  private current: QueuedSegment | null = null
  private runningSince = 0
  private schedule: CaptureSchedule
  private capture: ScreenCapture | null = null
  private outbox: TrackerOutbox
  private interval: ReturnType<typeof setInterval> | null = null
  private dirty = false
  private lastMove = 0
  private disposed = false

  constructor(
    private readonly contractId: string,
    options: { screenshotsPerSegment: number; onUploaded?: () => void },
  ) {
    this.schedule = createCaptureSchedule({ count: options.screenshotsPerSegment })
    this.outbox = new TrackerOutbox(contractId, {
      status: () => this.status,
      update: (patch) => this.update(patch),
      currentStart: () => this.current?.start,
      onUploaded: options.onUploaded ?? (() => {}),
    })
    window.addEventListener('online', this.handleOnline)
    window.addEventListener('offline', this.handleOffline)
    window.addEventListener('keydown', this.handleKey, true)
    window.addEventListener('pointerdown', this.handlePointer, true)
    window.addEventListener('pointermove', this.handleMove, true)
    window.addEventListener('wheel', this.handleMove, { capture: true, passive: true })
    window.addEventListener('pagehide', this.handleHide)
    this.interval = setInterval(() => void this.tick(), 1000)
    void this.outbox.refreshCounts().then(() => this.outbox.flush())
  }

  subscribe(listener: (status: TrackerStatus) => void): () => void {
    this.listeners.add(listener)
    listener(this.status)
    return () => this.listeners.delete(listener)
  }

  get snapshot(): TrackerStatus {
    return this.status
  }

  private update(patch: Partial<TrackerStatus>): void {
    this.status = { ...this.status, ...patch }
    for (const listener of this.listeners) listener(this.status)
  }

  /** Starts counting time; `stream` is the shared screen (null: no Work View screenshots). */
  async start(stream: MediaStream | null): Promise<void> {
    if (this.status.running) return
    this.runningSince = Date.now()
    this.attachStream(stream)
    await this.enterSegment(alignedStart(this.runningSince))
    this.update({ running: true })
  }

  async stop(): Promise<void> {
    if (!this.status.running) return
    this.update({ running: false })
    await this.persist()
    this.current = null
    this.stopStream()
    this.update({ segmentStart: null, activity: zeros(), sharing: 'off' })
    await this.outbox.refreshCounts()
  }

  setMemo(memo: string): void {
    this.update({ memo })
    if (this.current) {
      this.current.memo = memo
      this.dirty = true
    }
  }

  dispose(): void {
    this.disposed = true
    void this.persist()
    if (this.interval) clearInterval(this.interval)
    this.outbox.close()
    this.stopStream()
    window.removeEventListener('online', this.handleOnline)
    window.removeEventListener('offline', this.handleOffline)
    window.removeEventListener('keydown', this.handleKey, true)
    window.removeEventListener('pointerdown', this.handlePointer, true)
    window.removeEventListener('pointermove', this.handleMove, true)
    window.removeEventListener('wheel', this.handleMove, true)
    window.removeEventListener('pagehide', this.handleHide)
    this.listeners.clear()
  }

  // --- input ---------------------------------------------------------------------------

  private count(kind: 'keys' | 'pointer'): void {
    const segment = this.current
    if (!this.status.running || !segment) return
    const minute = Math.min(9, Math.max(0, Math.floor((Date.now() - new Date(segment.start).getTime()) / 60_000)))
    segment.activity[minute]![kind] += 1
    this.dirty = true
    this.update({ activity: segment.activity.map((m) => ({ ...m })) })
  }

  private handleKey = () => this.count('keys')
  private handlePointer = () => this.count('pointer')
  private handleMove = () => {
    const now = Date.now()
    if (now - this.lastMove < POINTER_MOVE_MS) return
    this.lastMove = now
    this.count('pointer')
  }
  private handleHide = () => void this.persist()
  private handleOnline = () => this.outbox.backOnline()
  private handleOffline = () => this.update({ online: false })

  // --- segments --------------------------------------------------------------------------

  private async enterSegment(start: number): Promise<void> {
    const iso = new Date(start).toISOString()
    // Stopped and started again inside one segment: continue the queued one.
    const existing = await trackerQueue.getSegment(this.contractId, iso)
    this.current = existing ?? {
      contractId: this.contractId,
      start: iso,
      activity: zeros(),
      memo: this.status.memo,
      readyAt: start + SEGMENT_MS,
      handled: [],
    }
    this.current.memo = this.status.memo || this.current.memo
    this.dirty = true
    await this.persist()
    this.update({ segmentStart: iso, activity: this.current.activity.map((m) => ({ ...m })) })
  }

  private async persist(): Promise<void> {
    if (!this.current || !this.dirty) return
    this.dirty = false
    await trackerQueue.putSegment({
      ...this.current,
      activity: this.current.activity.map((m) => ({ ...m })),
      handled: [...this.current.handled],
    })
  }

  private ticking = false
  private tickAgain = false

  private async tick(): Promise<void> {
    if (this.disposed) return
    // A tick during a tick runs right after it: after a jump in time (the machine woke up)
    // the one timer that fires must not be lost.
    if (this.ticking) {
      this.tickAgain = true
      return
    }
    this.ticking = true
    try {
      const now = Date.now()
      if (this.status.running && this.current) {
        const start = new Date(this.current.start).getTime()
        if (now >= start + SEGMENT_MS) {
          // The segment is over: it stays in the outbox (ready now) and the next one begins.
          // Segments skipped while the machine slept were not tracked and are not invented.
          this.dirty = true
          await this.persist()
          await this.enterSegment(alignedStart(now))
        }
        await this.captureIfDue(now)
        await this.persist()
      }
      await this.outbox.refreshCounts()
      if (this.status.waitingSegments > 0 || this.status.queuedShots > 0) {
        if (this.status.online && !this.outbox.retrying) void this.outbox.flush()
      }
    } finally {
      this.ticking = false
      if (this.tickAgain) {
        this.tickAgain = false
        void this.tick()
      }
    }
  }

  // --- Work View -------------------------------------------------------------------------

  private attachStream(stream: MediaStream | null): void {
    this.capture = stream ? new ScreenCapture(stream, () => this.update({ sharing: 'ended' })) : null
    this.update({ sharing: stream ? 'on' : 'off' })
  }

  private stopStream(): void {
    this.capture?.stop()
    this.capture = null
  }

  private async captureIfDue(now: number): Promise<void> {
    const segment = this.current
    if (!segment || this.schedule.count === 0) return
    const due = this.schedule
      .instantsFor(segment.start)
      .map((d) => d.getTime())
      .filter((at) => at <= now && at >= this.runningSince && !segment.handled.includes(at))
    if (due.length === 0) return
    // After a jump (the laptop slept) several instants may be due: one frame covers them.
    segment.handled.push(...due)
    this.dirty = true
    const image = this.capture && this.status.sharing === 'on' ? await this.capture.grab() : null
    if (!image) return
    const capturedAt = new Date(now).toISOString()
    await trackerQueue.putShot({ contractId: this.contractId, segmentStart: segment.start, capturedAt, image })
    this.update({ captures: this.status.captures + 1, lastCaptureAt: capturedAt })
    void this.outbox.flush()
  }
}
