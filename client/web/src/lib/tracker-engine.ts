import { createCaptureSchedule, SEGMENT_MS, type CaptureSchedule } from '../../../workview/capture-schedule.js'
import { trackerQueue, type MinuteActivity, type QueuedSegment } from './tracker-queue.js'

/**
 * The in-browser tracker of one hourly contract: counts input per minute into the current
 * 10-minute segment, grabs a Work View frame at the schedule's random instants, and uploads
 * segments and screenshots from the IndexedDB outbox (retrying with backoff, and at once when
 * the browser comes back online). Time comes only from Date.now/setTimeout, so tests can
 * drive it with Playwright's clock.
 */

export interface TrackerStatus {
  running: boolean
  segmentStart: string | null
  activity: MinuteActivity[]
  memo: string
  sharing: 'off' | 'on' | 'ended'
  queuedSegments: number
  queuedShots: number
  /** Segments in the outbox that are finished (waiting only for the server). */
  waitingSegments: number
  online: boolean
  captures: number
  lastCaptureAt: string | null
  lastUploadAt: string | null
  /** Why the last upload attempt failed; null after a success. */
  lastError: string | null
  retryAt: number | null
  /** Entries the server refused for good (outside the contract, week locked...). */
  refused: Array<{ what: string; message: string }>
}

const MAX_WIDTH = 1600
const BACKOFF_MIN = 2_000
const BACKOFF_MAX = 60_000
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
  private stream: MediaStream | null = null
  private video: HTMLVideoElement | null = null
  private interval: ReturnType<typeof setInterval> | null = null
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private failures = 0
  private flushing: Promise<void> | null = null
  private again = false
  private dirty = false
  private lastMove = 0
  private disposed = false

  constructor(
    private readonly contractId: string,
    options: { screenshotsPerSegment: number; onUploaded?: () => void },
  ) {
    this.schedule = createCaptureSchedule({ count: options.screenshotsPerSegment })
    this.onUploaded = options.onUploaded ?? (() => {})
    window.addEventListener('online', this.handleOnline)
    window.addEventListener('offline', this.handleOffline)
    window.addEventListener('keydown', this.handleKey, true)
    window.addEventListener('pointerdown', this.handlePointer, true)
    window.addEventListener('pointermove', this.handleMove, true)
    window.addEventListener('wheel', this.handleMove, { capture: true, passive: true })
    window.addEventListener('pagehide', this.handleHide)
    this.interval = setInterval(() => void this.tick(), 1000)
    void this.refreshCounts().then(() => this.flush())
  }

  private onUploaded: () => void

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
    await this.refreshCounts()
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
    if (this.retryTimer) clearTimeout(this.retryTimer)
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
  private handleOnline = () => {
    this.update({ online: true })
    this.failures = 0
    void this.flush()
  }
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
    await trackerQueue.putSegment({ ...this.current, activity: this.current.activity.map((m) => ({ ...m })), handled: [...this.current.handled] })
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
      await this.refreshCounts()
      if (this.status.waitingSegments > 0 || this.status.queuedShots > 0) {
        if (this.status.online && this.retryTimer === null) void this.flush()
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
    this.stream = stream
    if (!stream) {
      this.update({ sharing: 'off' })
      return
    }
    const video = document.createElement('video')
    video.muted = true
    video.playsInline = true
    video.srcObject = stream
    // In the document (invisible), so the browser keeps decoding frames as for any playing video.
    video.setAttribute('aria-hidden', 'true')
    video.style.cssText = 'position:fixed;left:0;bottom:0;width:2px;height:2px;opacity:0;pointer-events:none'
    document.body.appendChild(video)
    void video.play().catch(() => {})
    this.video = video
    for (const track of stream.getVideoTracks()) track.addEventListener('ended', () => this.update({ sharing: 'ended' }))
    this.update({ sharing: 'on' })
  }

  private stopStream(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop()
    if (this.video) {
      this.video.srcObject = null
      this.video.remove()
    }
    this.stream = null
    this.video = null
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
    const image = await this.grabFrame()
    if (!image) return
    const capturedAt = new Date(now).toISOString()
    await trackerQueue.putShot({ contractId: this.contractId, segmentStart: segment.start, capturedAt, image })
    this.update({ captures: this.status.captures + 1, lastCaptureAt: capturedAt })
    void this.flush()
  }

  private async grabFrame(): Promise<Blob | null> {
    const video = this.video
    if (!video || this.status.sharing !== 'on') return null
    if (video.readyState < 2 || !video.videoWidth) {
      // The first frame has not arrived yet (a slow machine): wait for it, a few seconds at most.
      void video.play().catch(() => {})
      await new Promise<void>((resolve) => {
        const done = () => resolve()
        video.addEventListener('loadeddata', done, { once: true })
        video.addEventListener('playing', done, { once: true })
        setTimeout(done, 5000)
      })
      if (video.readyState < 2 || !video.videoWidth) return null
    }
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth)
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(video.videoWidth * scale)
    canvas.height = Math.round(video.videoHeight * scale)
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height)
    const webp = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/webp', 0.8))
    // Browsers without a WebP encoder hand back PNG: ask for JPEG instead (smaller).
    if (webp && webp.type === 'image/webp') return webp
    return new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8))
  }

  // --- uploads ---------------------------------------------------------------------------

  private async refreshCounts(): Promise<void> {
    const [segments, shots] = await Promise.all([trackerQueue.segments(this.contractId), trackerQueue.shots(this.contractId)])
    const now = Date.now()
    const waiting = segments.filter((s) => s.readyAt <= now).length
    if (segments.length !== this.status.queuedSegments || shots.length !== this.status.queuedShots || waiting !== this.status.waitingSegments) {
      this.update({ queuedSegments: segments.length, queuedShots: shots.length, waitingSegments: waiting })
    }
  }

  /** Uploads what the outbox holds; one run at a time (a call during a run asks for another). */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true
      return this.flushing
    }
    this.flushing = (async () => {
      do {
        this.again = false
        await this.flushOnce()
      } while (this.again && this.retryTimer === null)
    })().finally(() => {
      this.flushing = null
    })
    return this.flushing
  }

  private async flushOnce(): Promise<void> {
    if (this.disposed) return
    if (!navigator.onLine) {
      this.update({ online: false })
      return
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer)
      this.retryTimer = null
    }
    let uploaded = false
    try {
      uploaded = (await this.uploadShots()) || uploaded
      uploaded = (await this.uploadSegments()) || uploaded
      this.failures = 0
      this.update({ lastError: null, retryAt: null, online: true, ...(uploaded ? { lastUploadAt: new Date().toISOString() } : {}) })
    } catch (err) {
      this.failures += 1
      const delay = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** (this.failures - 1)) * (0.75 + Math.random() * 0.5)
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null
        void this.flush()
      }, delay)
      this.update({ lastError: err instanceof Error ? err.message : String(err), retryAt: Date.now() + delay })
    }
    await this.refreshCounts()
    if (uploaded) this.onUploaded()
  }

  private refuse(what: string, message: string): void {
    this.update({ refused: [...this.status.refused, { what, message }].slice(-20) })
  }

  /** True when something reached the server. Throws (retry later) on network and server trouble. */
  private async uploadShots(): Promise<boolean> {
    const shots = await trackerQueue.shots(this.contractId)
    for (const shot of shots) {
      const form = new FormData()
      form.append('segmentStart', shot.segmentStart)
      form.append('capturedAt', shot.capturedAt)
      form.append('image', shot.image, `capture.${shot.image.type.split('/')[1] ?? 'webp'}`)
      const response = await send(`/api/v1/contracts/${this.contractId}/screenshots`, { method: 'POST', body: form })
      if (!response.ok) {
        if (retryable(response.status)) throw new Error(retryMessage(response.status))
        this.refuse(`Screenshot ${shot.capturedAt}`, await messageOf(response))
      }
      // 200 (already there), 201 (stored) or refused for good: it leaves the outbox either way.
      await trackerQueue.deleteShot(this.contractId, shot.capturedAt)
    }
    return shots.length > 0
  }

  private async uploadSegments(): Promise<boolean> {
    const now = Date.now()
    const ready = (await trackerQueue.segments(this.contractId)).filter((s) => s.readyAt <= now && s.start !== this.current?.start).slice(0, 200)
    if (ready.length === 0) return false
    const body = { segments: ready.map((s) => ({ start: s.start, activity: s.activity, ...(s.memo ? { memo: s.memo.slice(0, 500) } : {}) })) }
    const response = await send(`/api/v1/contracts/${this.contractId}/segments`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok && retryable(response.status)) throw new Error(retryMessage(response.status))
    const answer = (await response.json().catch(() => ({}))) as { accepted?: Array<{ start: string }>; rejected?: Array<{ start: string; code: string; message: string }>; message?: string }
    const accepted = new Set((answer.accepted ?? []).map((a) => new Date(a.start).getTime()))
    const rejected = new Map((answer.rejected ?? []).map((r) => [new Date(r.start).getTime(), r]))
    let waitLonger = false
    for (const segment of ready) {
      const at = new Date(segment.start).getTime()
      const refusal = rejected.get(at)
      // The server's clock runs behind ours: keep the segment and try again later.
      if (refusal?.code === 'tracker.future_segment') {
        waitLonger = true
        continue
      }
      if (refusal) this.refuse(`Segment ${segment.start}`, refusal.message)
      else if (!accepted.has(at) && !response.ok) this.refuse(`Segment ${segment.start}`, answer.message ?? `Refused (${response.status})`)
      await trackerQueue.deleteSegment(this.contractId, segment.start)
    }
    if (waitLonger) throw new Error('The server’s clock is behind this computer’s; retrying')
    return accepted.size > 0
  }
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, credentials: 'include' })
  } catch {
    throw new Error('The server could not be reached; the tracker keeps your time and retries')
  }
}

/** Network trouble, overload, an expired session: worth trying again; other 4xx are final. */
const retryable = (status: number) => status >= 500 || status === 429 || status === 401 || status === 408

const retryMessage = (status: number) =>
  status === 401 ? 'Your session has ended: sign in again (in another tab) and the queued time uploads' : `The server answered ${status}; retrying`

async function messageOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { message?: string } | null
  return body?.message ?? `Refused (${response.status})`
}
