import { trackerQueue } from './tracker-queue.js'

const BACKOFF_MIN = 2_000
const BACKOFF_MAX = 60_000

/** The part of the tracker's status (TrackerStatus) the outbox keeps. */
export interface OutboxStatus {
  queuedSegments: number
  queuedShots: number
  /** Segments in the outbox that are finished (waiting only for the server). */
  waitingSegments: number
  online: boolean
  lastUploadAt: string | null
  /** Why the last upload attempt failed; null after a success. */
  lastError: string | null
  retryAt: number | null
  /** Entries the server refused for good (outside the contract, week locked...). */
  refused: Array<{ what: string; message: string }>
}

/** What the outbox reads from and reports to the tracker it serves. */
export interface OutboxHost {
  status(): OutboxStatus
  update(patch: Partial<OutboxStatus>): void
  /** The start of the segment being tracked: it stays until it is over. */
  currentStart(): string | undefined
  /** Something reached the server (the page re-reads the week). */
  onUploaded(): void
}

/**
 * Sends what the IndexedDB outbox (tracker-queue.ts) holds to the server: screenshots, then
 * finished segments. One run at a time; on network or server trouble it retries with
 * jittered exponential backoff, and at once when the browser comes back online.
 */
export class TrackerOutbox {
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private failures = 0
  private flushing: Promise<void> | null = null
  private again = false
  private refused: OutboxStatus['refused'] = []
  private closed = false

  constructor(
    private readonly contractId: string,
    private readonly host: OutboxHost,
  ) {}

  /** A retry is scheduled: the next attempt waits for it (or for the browser to come online). */
  get retrying(): boolean {
    return this.retryTimer !== null
  }

  /** Queue sizes into the tracker's status (only when they changed, to spare re-renders). */
  async refreshCounts(): Promise<void> {
    const [segments, shots] = await Promise.all([
      trackerQueue.segments(this.contractId),
      trackerQueue.shots(this.contractId),
    ])
    const now = Date.now()
    const waiting = segments.filter((s) => s.readyAt <= now).length
    const status = this.host.status()
    if (
      segments.length !== status.queuedSegments ||
      shots.length !== status.queuedShots ||
      waiting !== status.waitingSegments
    ) {
      this.host.update({ queuedSegments: segments.length, queuedShots: shots.length, waitingSegments: waiting })
    }
  }

  /** The browser is back online: try at once, the backoff starting over. */
  backOnline(): void {
    this.host.update({ online: true })
    this.failures = 0
    void this.flush()
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

  close(): void {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
  }

  private async flushOnce(): Promise<void> {
    if (this.closed) return
    if (!navigator.onLine) {
      this.host.update({ online: false })
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
      this.host.update({
        lastError: null,
        retryAt: null,
        online: true,
        ...(uploaded ? { lastUploadAt: new Date().toISOString() } : {}),
      })
    } catch (err) {
      this.failures += 1
      const delay = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** (this.failures - 1)) * (0.75 + Math.random() * 0.5)
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null
        void this.flush()
      }, delay)
      this.host.update({ lastError: err instanceof Error ? err.message : String(err), retryAt: Date.now() + delay })
    }
    await this.refreshCounts()
    if (uploaded) this.host.onUploaded()
  }

  private refuse(what: string, message: string): void {
    this.refused = [...this.refused, { what, message }].slice(-20)
    this.host.update({ refused: this.refused })
  }

  /** True when something reached the server. Throws (retry later) on network and server trouble. */
  private async uploadShots(): Promise<boolean> {
    const shots = await trackerQueue.shots(this.contractId)
    for (const shot of shots) {
      const form = new FormData()
      form.append('segmentStart', shot.segmentStart)
      form.append('capturedAt', shot.capturedAt)
      if (shot.activity) form.append('activity', JSON.stringify(shot.activity))
      if (shot.memo) form.append('memo', shot.memo.slice(0, 500))
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
    const ready = (await trackerQueue.segments(this.contractId))
      .filter((s) => s.readyAt <= now && s.start !== this.host.currentStart())
      .slice(0, 200)
    if (ready.length === 0) return false
    const body = {
      segments: ready.map((s) => ({
        start: s.start,
        activity: s.activity,
        ...(s.memo ? { memo: s.memo.slice(0, 500) } : {}),
      })),
    }
    const response = await send(`/api/v1/contracts/${this.contractId}/segments`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok && retryable(response.status)) throw new Error(retryMessage(response.status))
    const answer = (await response.json().catch(() => ({}))) as {
      accepted?: Array<{ start: string }>
      rejected?: Array<{ start: string; code: string; message: string }>
      message?: string
    }
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
      else if (!accepted.has(at) && !response.ok)
        this.refuse(`Segment ${segment.start}`, answer.message ?? `Refused (${response.status})`)
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
  status === 401
    ? 'Your session has ended: sign in again (in another tab) and the queued time uploads'
    : `The server answered ${status}; retrying`

async function messageOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { message?: string } | null
  return body?.message ?? `Refused (${response.status})`
}
