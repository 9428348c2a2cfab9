import { openDB, type DBSchema, type IDBPDatabase } from 'idb'

/**
 * The tracker's outbox in IndexedDB: segments and their screenshots (as Blobs) wait here
 * until the server has them, so a closed laptop, a crash or a lost connection loses nothing.
 * Keys are the server's idempotency keys (segment start, capture instant), so uploading an
 * entry twice replaces or finds the same row instead of doubling it.
 */

export interface MinuteActivity {
  keys: number
  pointer: number
  /** false: the tracker did not run in this minute (the server does not bill it). */
  tracked?: false
}

/**
 * A tracking session that is running: written when tracking starts, removed when it stops,
 * so a reload, a closed tab or a crash finds it and resumes.
 */
export interface RunningSession {
  contractId: string
  /** When tracking started (epoch ms). */
  since: number
  memo: string
  /** The screen was shared (a resumed session asks to share it again). */
  shared: boolean
  /** When the page last ran it (epoch ms): a session left long ago asks before it resumes. */
  seenAt: number
}

export interface QueuedSegment {
  contractId: string
  /** UTC ISO start on a 10-minute boundary. */
  start: string
  activity: MinuteActivity[]
  memo: string
  /** When the server will take it (the segment's end): a running segment waits here too. */
  readyAt: number
  /** Capture instants of this segment already handled (taken or missed), as epoch ms. */
  handled: number[]
  /**
   * The capture moments the server picked for this segment, in this browser's clock (epoch
   * ms); absent until the server answered (an offline tracker takes no screenshot then).
   */
  moments?: number[]
  /** The server's clock minus this browser's (ms), measured when the moments came. */
  offset?: number
  /** How late after a moment a screenshot is still accepted (ms). */
  lateMs?: number
}

export interface QueuedShot {
  contractId: string
  segmentStart: string
  capturedAt: string
  image: Blob
  /** The segment's activity and memo when the screenshot was taken: the client sees them with it. */
  activity?: MinuteActivity[]
  memo?: string
}

interface TrackerDb extends DBSchema {
  segments: { key: [string, string]; value: QueuedSegment; indexes: { byContract: string } }
  shots: { key: [string, string]; value: QueuedShot; indexes: { byContract: string } }
  sessions: { key: string; value: RunningSession }
}

let opening: Promise<IDBPDatabase<TrackerDb>> | null = null

function db(): Promise<IDBPDatabase<TrackerDb>> {
  opening ??= openDB<TrackerDb>('workroom-tracker', 2, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database
          .createObjectStore('segments', { keyPath: ['contractId', 'start'] })
          .createIndex('byContract', 'contractId')
        database
          .createObjectStore('shots', { keyPath: ['contractId', 'capturedAt'] })
          .createIndex('byContract', 'contractId')
      }
      if (oldVersion < 2) database.createObjectStore('sessions', { keyPath: 'contractId' })
    },
  })
  return opening
}

export const trackerQueue = {
  async putSegment(segment: QueuedSegment): Promise<void> {
    await (await db()).put('segments', segment)
  },
  async getSegment(contractId: string, start: string): Promise<QueuedSegment | undefined> {
    return (await db()).get('segments', [contractId, start])
  },
  async segments(contractId: string): Promise<QueuedSegment[]> {
    return (await db()).getAllFromIndex('segments', 'byContract', contractId)
  },
  async deleteSegment(contractId: string, start: string): Promise<void> {
    await (await db()).delete('segments', [contractId, start])
  },
  async putShot(shot: QueuedShot): Promise<void> {
    await (await db()).put('shots', shot)
  },
  async shots(contractId: string): Promise<QueuedShot[]> {
    return (await db()).getAllFromIndex('shots', 'byContract', contractId)
  },
  async deleteShot(contractId: string, capturedAt: string): Promise<void> {
    await (await db()).delete('shots', [contractId, capturedAt])
  },
  async putSession(session: RunningSession): Promise<void> {
    memoDrafts.save(session.contractId, session.memo)
    await (await db()).put('sessions', session)
  },
  async getSession(contractId: string): Promise<RunningSession | undefined> {
    const session = await (await db()).get('sessions', contractId)
    const memo = memoDrafts.read(contractId)
    return session && memo !== null ? { ...session, memo } : session
  },
  async deleteSession(contractId: string): Promise<void> {
    memoDrafts.remove(contractId)
    await (await db()).delete('sessions', contractId)
  },
}

/**
 * The running session's memo, also kept in localStorage, which writes at once: a reload right
 * after typing aborts the IndexedDB write of the last keystrokes (seen: "Checkout page and c"
 * came back after typing "... and cart" and reloading). Storage that is full or switched off
 * leaves only the IndexedDB copy.
 */
const memoDrafts = {
  key: (contractId: string) => `workroom.tracker-memo.${contractId}`,
  save(contractId: string, memo: string): void {
    try {
      localStorage.setItem(this.key(contractId), memo)
    } catch {
      // full or unavailable
    }
  },
  read(contractId: string): string | null {
    try {
      return localStorage.getItem(this.key(contractId))
    } catch {
      return null
    }
  },
  remove(contractId: string): void {
    try {
      localStorage.removeItem(this.key(contractId))
    } catch {
      // unavailable
    }
  },
}
