import * as awarenessProtocol from 'y-protocols/awareness'
import { Connection } from './document.connection.js'
import { awarenessMessage } from './protocol.js'

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] }

export interface PresenceLimits {
  /** Minimum time between two presence messages for one document. */
  awarenessIntervalMs: number
  /**
   * How long a presence renewal (a client re-sending an unchanged state so it does not time
   * out after 30 s; stock clients do it every 15 s) may wait to be passed on, unless a real
   * change goes out first and takes it along.
   */
  awarenessRenewalMs: number
}

/**
 * The presence (awareness) of one document's clients and how it travels. Presence goes out
 * at most once per interval per document, every change of the interval in one message: when
 * 100 clients renew their presence at once, each client gets one message with 100 states
 * rather than 100 messages (which stalled fan-out). Renewals alone wait longer
 * (`awarenessRenewalMs`): the storm of 100 clients renewing within a second or two becomes
 * one message instead of one every interval.
 */
export class DocumentPresence {
  private local = new Set<number>()
  private relayed = new Set<number>()
  private sources = new Set<Connection>()
  private timer: NodeJS.Timeout | null = null
  /** When the pending presence message is due (Date.now() time). */
  private dueAt = 0
  private lastSentAt = 0
  private stopped = false

  constructor(
    readonly awareness: awarenessProtocol.Awareness,
    private readonly limits: PresenceLimits,
    private readonly out: {
      /** To this instance's clients of the document, except one (null: everyone). */
      broadcast(frame: Uint8Array, except: Connection | null): void
      /** To the other instances (presence changed by a client of this one). */
      publish(update: Uint8Array): void
    },
  ) {
    awareness.setLocalState(null)
    // 'change' (states that really changed) fires just before 'update' (those plus renewals).
    let reallyChanged: ReadonlySet<number> = new Set()
    awareness.on('change', ({ added, updated, removed }: AwarenessChange) => {
      reallyChanged = new Set([...added, ...updated, ...removed])
    })
    awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = [...added, ...updated, ...removed]
      const renewalOnly = changed.every((client) => !reallyChanged.has(client))
      reallyChanged = new Set()
      if (origin instanceof Connection) {
        for (const client of added) origin.clients.add(client)
        for (const client of removed) origin.clients.delete(client)
        this.queue(changed, origin, renewalOnly)
      } else if (origin === 'relay') {
        this.queue(changed, 'relay', renewalOnly)
      } else if (origin === 'local') {
        const update = awarenessProtocol.encodeAwarenessUpdate(awareness, changed)
        this.out.broadcast(awarenessMessage(update), null)
        this.out.publish(update)
      }
    })
  }

  private queue(changed: number[], source: Connection | 'relay', renewalOnly: boolean): void {
    const into = source === 'relay' ? this.relayed : this.local
    for (const client of changed) into.add(client)
    if (source !== 'relay') this.sources.add(source)
    const now = Date.now()
    const dueAt = renewalOnly
      ? now + this.limits.awarenessRenewalMs
      : Math.max(now, this.lastSentAt + this.limits.awarenessIntervalMs)
    if (this.timer && this.dueAt <= dueAt) return
    if (this.timer) clearTimeout(this.timer)
    this.dueAt = dueAt
    this.timer = setTimeout(() => this.flush(), dueAt - now)
  }

  /** Sends the presence changes waiting (also called when a connection leaves). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.stopped || (this.local.size === 0 && this.relayed.size === 0)) return
    this.lastSentAt = Date.now()
    const local = [...this.local]
    const all = [...new Set([...local, ...this.relayed])]
    const sources = [...this.sources]
    // Only one client's own presence: it need not get it back.
    const except = sources.length === 1 && this.relayed.size === 0 ? sources[0]! : null
    this.local.clear()
    this.relayed.clear()
    this.sources.clear()
    const message = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, all))
    this.out.broadcast(message, except)
    if (local.length > 0) this.out.publish(awarenessProtocol.encodeAwarenessUpdate(this.awareness, local))
  }

  /** The document left memory: nothing more goes out. */
  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }
}
