import type { QueuedSegment } from './tracker-queue.js'

/** The server's answer when the tracker opens (or continues) a segment, in this browser's clock. */
export interface SegmentMoments {
  /** When to take the screenshots, epoch ms of this browser's clock. */
  moments: number[]
  /** The server's clock minus this browser's (ms): capturedAt is sent in the server's time. */
  offset: number
  lateMs: number
}

/**
 * Asks the server for a segment's capture moments (POST /api/v1/contracts/:id/workview/segment),
 * reporting the activity and memo so far. The server picks the moments (the browser never
 * does); its clock may differ from this one, so the moments are moved by the measured offset.
 * Null when the server could not be asked (offline, refused): the tracker asks again later.
 */
export async function askCaptureMoments(
  contractId: string,
  body: { segmentStart: string; activity: Array<{ keys: number; pointer: number; tracked?: false }>; memo: string },
): Promise<SegmentMoments | null> {
  const sentAt = Date.now()
  let response: Response
  try {
    response = await fetch(`/api/v1/contracts/${contractId}/workview/segment`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        segmentStart: body.segmentStart,
        activity: body.activity.slice(0, 10).map((m) => ({
          keys: Math.min(m.keys, 1000),
          pointer: Math.min(m.pointer, 1000),
          ...(m.tracked === false ? { tracked: false } : {}),
        })),
        ...(body.memo ? { memo: body.memo.slice(0, 500) } : {}),
      }),
    })
  } catch {
    return null
  }
  if (!response.ok) return null
  const plan = (await response.json()) as { captureMoments: string[]; serverTime: string; lateSeconds: number }
  const receivedAt = Date.now()
  const offset = Date.parse(plan.serverTime) - Math.round((sentAt + receivedAt) / 2)
  return {
    moments: plan.captureMoments.map((m) => Date.parse(m) - offset),
    offset,
    lateMs: plan.lateSeconds * 1000,
  }
}

/** How often to ask again for a segment's capture moments after a failed ask. */
const ASK_AGAIN_MS = 10_000

/** Asks for each segment's moments once it runs (again every 10 s until the server answers). */
export class MomentAsker {
  private askedAt = 0
  private asking = false
  private askedFor = ''

  constructor(private readonly contractId: string) {}

  /** True when the segment just got its moments (the caller stores it). */
  async plan(segment: QueuedSegment | null, now: number, enabled: boolean): Promise<boolean> {
    if (!segment || segment.moments || !enabled || this.asking) return false
    if (this.askedFor === segment.start && now - this.askedAt < ASK_AGAIN_MS) return false
    this.asking = true
    this.askedAt = now
    this.askedFor = segment.start
    try {
      const plan = await askCaptureMoments(this.contractId, {
        segmentStart: segment.start,
        activity: segment.activity,
        memo: segment.memo,
      })
      if (!plan) return false
      segment.offset = plan.offset
      segment.lateMs = plan.lateMs
      segment.moments = plan.moments
      return true
    } finally {
      this.asking = false
    }
  }
}

/**
 * Marks the segment's moments that came due as handled and says whether to grab a frame now.
 * After a jump (the laptop slept) several may be due: one frame covers those still in time;
 * the server refuses a screenshot taken long after its moment, so the others are missed.
 */
export function dueMoments(segment: QueuedSegment, now: number, runningSince: number): 'none' | 'missed' | 'take' {
  const due = (segment.moments ?? []).filter((at) => at <= now && !segment.handled.includes(at))
  if (due.length === 0) return 'none'
  segment.handled.push(...due)
  const late = (segment.lateMs ?? 90_000) - 5_000
  return due.some((at) => at >= runningSince && now - at <= late) ? 'take' : 'missed'
}
