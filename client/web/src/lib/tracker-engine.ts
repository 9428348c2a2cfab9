import { ScreenCapture } from './tracker-capture.js'
import { TrackerOutbox, type OutboxStatus } from './tracker-outbox.js'
import { dueMoments, MomentAsker } from './tracker-moments.js'
import { trackerQueue, type MinuteActivity, type QueuedSegment, type RunningSession } from './tracker-queue.js'

/**
 * The in-browser tracker of one hourly contract: counts input per minute into the current
 * 10-minute segment, grabs a Work View frame (tracker-capture.ts) at the random capture
 * moments the server picked for the segment (tracker-moments.ts), and keeps both in the IndexedDB outbox, which tracker-outbox.ts uploads. A
 * running session is kept in IndexedDB too: a reload, a closed tab or a crash resumes it.
 * Each minute the tracker ran in is marked tracked; the others of a segment started or
 * stopped inside are not billed. Time comes only from Date.now/setTimeout, so tests can
 * drive it with Playwright's clock.
 */

export interface TrackerStatus extends OutboxStatus {
  running: boolean
  segmentStart: string | null
  activity: MinuteActivity[]
  memo: string
  sharing: 'off' | 'on' | 'ended'
  captures: number
  lastCaptureAt: string | null
  /** Set when a session left running (reload, closed tab, crash) was resumed. */
  resumedAt: string | null
  /** A session left running more than a few minutes ago: when it was last seen (it asks to resume). */
  leftRunning: string | null
}

/** Pointer moves are many per second: count at most one per this many ms, like a key press. */
const POINTER_MOVE_MS = 500
/** Ticks further apart than this mean the machine slept: the minutes between were not tracked. */
const MAX_TICK_GAP_MS = 90_000
/** A session the page ran this recently resumes by itself; an older one asks once. */
const RESUME_WITHOUT_ASKING_MS = 10 * 60_000
/** How often a running session notes that the page still runs it. */
const SEEN_EVERY_MS = 30_000

const SEGMENT_MS = 10 * 60_000
const alignedStart = (at: number) => at - (at % SEGMENT_MS)
const zeros = (): MinuteActivity[] => Array.from({ length: 10 }, () => ({ keys: 0, pointer: 0, tracked: false }))

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
    resumedAt: null,
    leftRunning: null,
    lastUploadAt: null,
    lastError: null,
    retryAt: null,
    refused: [],
  }
  private listeners = new Set<(status: TrackerStatus) => void>()
  private current: QueuedSegment | null = null
  private runningSince = 0
  /** The last instant marked tracked (epoch ms). */
  private lastMark = 0
  private shared = false
  private seenSavedAt = 0
  private screenshotsPerSegment: number
  private moments: MomentAsker
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
    this.screenshotsPerSegment = options.screenshotsPerSegment
    this.moments = new MomentAsker(contractId)
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
    document.addEventListener('visibilitychange', this.handleVisibility)
    this.interval = setInterval(() => void this.tick(), 1000)
    void this.resume()
      .then(() => this.outbox.refreshCounts())
      .then(() => this.outbox.flush())
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
    this.attachStream(stream)
    await this.begin()
    this.update({ resumedAt: null, leftRunning: null })
  }

  /** A session left running here (reload, closed tab, crash) goes on from now. */
  private async resume(): Promise<void> {
    const session = await trackerQueue.getSession(this.contractId)
    if (!session || this.disposed || this.status.running) return
    if (Date.now() - (session.seenAt ?? session.since) > RESUME_WITHOUT_ASKING_MS) {
      this.update({
        leftRunning: new Date(session.seenAt ?? session.since).toISOString(),
        memo: session.memo || this.status.memo,
      })
      return
    }
    await this.continueSession(session)
  }

  /** The person chose to resume the session left running long ago. */
  async resumeLeft(): Promise<void> {
    const session = await trackerQueue.getSession(this.contractId)
    this.update({ leftRunning: null })
    if (session && !this.status.running) await this.continueSession(session)
  }

  /** The person chose not to resume it (what it tracked stays queued and uploads). */
  async discardLeft(): Promise<void> {
    await trackerQueue.deleteSession(this.contractId)
    this.update({ leftRunning: null })
  }

  private async continueSession(session: RunningSession): Promise<void> {
    // Sharing the screen needs the person's click: the page offers to share it again.
    this.shared = session.shared
    this.update({ memo: session.memo || this.status.memo, sharing: session.shared ? 'ended' : 'off' })
    await this.begin()
    this.update({ resumedAt: new Date(this.runningSince).toISOString() })
  }

  private async begin(): Promise<void> {
    this.runningSince = Date.now()
    this.lastMark = this.runningSince
    await this.enterSegment(alignedStart(this.runningSince))
    this.markTracked(this.runningSince, this.runningSince)
    await this.persist()
    await this.saveSession()
    this.update({ running: true })
  }

  /** Shares the screen again (after sharing ended, or in a resumed session). */
  shareScreen(stream: MediaStream): void {
    this.stopStream()
    this.attachStream(stream)
    void this.saveSession()
  }

  async stop(): Promise<void> {
    if (!this.status.running) return
    this.update({ running: false, resumedAt: null })
    await trackerQueue.deleteSession(this.contractId)
    const now = Date.now()
    this.markTracked(now - this.lastMark <= MAX_TICK_GAP_MS ? this.lastMark : now, now)
    this.dirty = true
    await this.persist()
    this.current = null
    this.stopStream()
    this.shared = false
    this.update({ segmentStart: null, activity: zeros(), sharing: 'off' })
    await this.outbox.refreshCounts()
  }

  setMemo(memo: string): void {
    this.update({ memo })
    if (this.current) {
      this.current.memo = memo
      this.dirty = true
      void this.saveSession()
    }
  }

  private async saveSession(): Promise<void> {
    if (!this.current) return
    this.seenSavedAt = Date.now()
    await trackerQueue.putSession({
      seenAt: this.seenSavedAt,
      contractId: this.contractId,
      since: this.runningSince,
      memo: this.status.memo,
      shared: this.shared,
    })
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
    document.removeEventListener('visibilitychange', this.handleVisibility)
    this.listeners.clear()
  }

  // --- input ---------------------------------------------------------------------------

  private count(kind: 'keys' | 'pointer'): void {
    const segment = this.current
    if (!this.status.running || !segment) return
    const now = Date.now()
    const minute = Math.min(9, Math.max(0, Math.floor((now - new Date(segment.start).getTime()) / 60_000)))
    segment.activity[minute]![kind] += 1
    this.markTracked(now, now)
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
  /** The page goes away (reload, closed tab): store the running segment and try an upload. */
  private handleHide = () => {
    void this.persist()
    if (this.status.running) void this.saveSession()
    void this.outbox.flush()
  }
  private handleVisibility = () => {
    if (document.visibilityState === 'hidden') this.handleHide()
  }

  /** Marks the current segment's minutes from `from` to `to` (epoch ms) as tracked. */
  private markTracked(from: number, to: number): void {
    const segment = this.current
    if (!segment) return
    const start = new Date(segment.start).getTime()
    const first = Math.max(0, Math.floor((from - start) / 60_000))
    const last = Math.min(9, Math.floor((to - start) / 60_000))
    let changed = false
    for (let i = first; i <= last; i++) {
      const minute = segment.activity[i]
      if (minute?.tracked === false) {
        delete minute.tracked
        changed = true
      }
    }
    if (!changed) return
    this.dirty = true
    this.update({ activity: segment.activity.map((m) => ({ ...m })) })
  }
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
        // Ticks far apart: the machine slept, and only the present minute is tracked.
        const from = now - this.lastMark <= MAX_TICK_GAP_MS ? this.lastMark : now
        this.markTracked(from, Math.min(now, start + SEGMENT_MS - 1))
        if (now >= start + SEGMENT_MS) {
          // The segment is over: it stays in the outbox (ready now) and the next one begins.
          // Segments skipped while the machine slept were not tracked and are not invented.
          this.dirty = true
          await this.persist()
          await this.enterSegment(alignedStart(now))
          this.markTracked(from, now)
        }
        this.lastMark = now
        if (now - this.seenSavedAt >= SEEN_EVERY_MS) await this.saveSession()
        if (await this.moments.plan(this.current, now, this.screenshotsPerSegment > 0 && this.status.online)) {
          this.dirty = true
          await this.persist()
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
    this.shared = stream !== null
    this.update({ sharing: stream ? 'on' : 'off' })
  }

  private stopStream(): void {
    this.capture?.stop()
    this.capture = null
  }

  private async captureIfDue(now: number): Promise<void> {
    const segment = this.current
    if (!segment?.moments) return
    const due = dueMoments(segment, now, this.runningSince)
    if (due === 'none') return
    this.dirty = true
    if (due === 'missed') return
    const image = this.capture && this.status.sharing === 'on' ? await this.capture.grab() : null
    if (!image) return
    const capturedAt = new Date(now + (segment.offset ?? 0)).toISOString()
    await trackerQueue.putShot({
      contractId: this.contractId,
      segmentStart: segment.start,
      capturedAt,
      image,
      activity: segment.activity.map((m) => ({ ...m })),
      memo: segment.memo,
    })
    this.update({ captures: this.status.captures + 1, lastCaptureAt: capturedAt })
    void this.outbox.flush()
  }
}
