import type { DocumentLimits } from './document.js'
import type { Relay } from './relay.js'
import type { DocumentStore } from './store.js'

export interface EngineLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
  debug(obj: object, msg: string): void
}

/** What the engine is built with (server/plugins/realtime.ts fills it from the configuration). */
export interface EngineOptions extends DocumentLimits {
  store: DocumentStore
  relay: Relay
  log: EngineLog
  /** A document leaves memory this long after its last client left. */
  unloadAfterMs: number
  /** Compact past this many log rows... */
  compactAfterRows: number
  /** ...or this many log bytes. */
  compactAfterBytes: number
  /** At most this many documents loading at once. */
  maxConcurrentLoads: number
  /** At most this many rows in one commit (the rest go into the next). */
  maxRowsPerCommit?: number
}
