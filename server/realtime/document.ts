import type { WebSocket } from 'ws'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { DocumentAccess, DocumentKind, DocumentMutation } from './kinds.js'
import { awarenessClients, awarenessMessage, decodeMessage, decodeStateVector, deniedMessage, ProtocolError, syncStep1Message, syncStep2Message, updateMessage, assertValidUpdate } from './protocol.js'

/** Close codes of the document endpoint (the registry's, restated to keep the engine standalone). */
export const DocCloseCode = {
  protocolError: 4400,
  notFound: 4404,
  accessRevoked: 4003,
  tooLarge: 1009,
  internalError: 1011,
  restarting: 1012,
  slowConsumer: 4008,
} as const

export interface DocumentLimits {
  maxDocumentBytes: number
  maxSendBufferBytes: number
  /** Minimum time between two presence messages for one document. */
  awarenessIntervalMs: number
  /**
   * How long a presence renewal (a client re-sending an unchanged state so it does not time
   * out after 30 s; stock clients do it every 15 s) may wait to be passed on, unless a real
   * change goes out first and takes it along.
   */
  awarenessRenewalMs: number
}

/** A change waiting for the next group commit. */
type Incoming =
  | { kind: 'update'; update: Uint8Array; from: Connection }
  | { kind: 'mutation'; mutate: DocumentMutation; done: { resolve(): void; reject(err: unknown): void } }

/** The result of applying a document's waiting changes in one transaction. */
export interface Batch {
  doc: LiveDocument
  /** The merged update of everything applied (null: nothing changed). */
  update: Uint8Array | null
  /** The single connection all client updates came from (it need not get them back). */
  soleSource: Connection | null
  waiters: Array<{ resolve(): void; reject(err: unknown): void }>
  /** How many changes (client updates and server mutations) the batch holds. */
  changes: number
  /** When its oldest change arrived (performance.now()). */
  queuedAt: number
}

export interface DocumentHooks {
  /** The document has changes waiting: schedule a group commit. */
  markDirty(doc: LiveDocument): void
  /** Local awareness change to relay to other instances. */
  publishAwareness(doc: LiveDocument, update: Uint8Array): void
  connectionClosed(doc: LiveDocument, connection: Connection): void
  log: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void }
}

/**
 * One loaded document: its Y.Doc, the awareness (presence) of its clients, its connections
 * on this instance, and the changes waiting for the next commit. Changes are applied to the
 * Y.Doc only when a commit starts, all of them in one transaction, so the merged update is
 * what gets stored and sent; nothing reaches a client before it is committed.
 */
export class LiveDocument {
  readonly ydoc = new Y.Doc()
  readonly awareness = new awarenessProtocol.Awareness(this.ydoc)
  readonly connections = new Set<Connection>()
  incoming: Incoming[] = []
  incomingBytes = 0
  /** When the oldest waiting change arrived (performance.now()), for the latency histogram. */
  queuedAt = 0
  /** A batch of this document is being committed (its changes are applied, not yet durable). */
  committing = false
  private afterCommit: Array<() => void> = []
  /** Size of the stored snapshot this state holds. */
  snapshotBytes = 0
  /**
   * The log rows this document's state holds (loaded, written here, or received through the
   * relay), by id, with their size: exactly what a snapshot of it may delete.
   */
  readonly log = new Map<number, number>()
  logBytes = 0

  /** Approximate stored size (snapshot plus log), for the size cap. */
  get storedBytes(): number {
    return this.snapshotBytes + this.logBytes
  }
  /** The version of the stored snapshot this state holds (null: none yet). */
  snapshotVersion: number | null = null
  compacting = false
  unloadTimer: NodeJS.Timeout | null = null
  unloading: Promise<void> | null = null
  unfollow: () => void = () => {}
  destroyed = false
  private captured: Uint8Array | null = null

  constructor(
    readonly name: string,
    readonly kind: DocumentKind<unknown>,
    readonly params: unknown,
    readonly limits: DocumentLimits,
    private readonly hooks: DocumentHooks,
  ) {
    this.awareness.setLocalState(null)
    this.ydoc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) this.captured = this.captured ? Y.mergeUpdates([this.captured, update]) : update
    })
    // 'change' (states that really changed) fires just before 'update' (those plus renewals).
    let reallyChanged: ReadonlySet<number> = new Set()
    this.awareness.on('change', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      reallyChanged = new Set([...added, ...updated, ...removed])
    })
    this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      const changed = [...added, ...updated, ...removed]
      const renewalOnly = changed.every((client) => !reallyChanged.has(client))
      reallyChanged = new Set()
      if (origin instanceof Connection) {
        for (const client of added) origin.clients.add(client)
        for (const client of removed) origin.clients.delete(client)
        this.queueAwareness(changed, origin, renewalOnly)
      } else if (origin === 'relay') {
        this.queueAwareness(changed, 'relay', renewalOnly)
      } else if (origin === 'local') {
        const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)
        this.broadcast(awarenessMessage(update), null)
        this.hooks.publishAwareness(this, update)
      }
    })
  }

  private awarenessLocal = new Set<number>()
  private awarenessRelayed = new Set<number>()
  private awarenessSources = new Set<Connection>()
  private awarenessTimer: NodeJS.Timeout | null = null
  /** When the pending presence message is due (Date.now() time). */
  private awarenessDueAt = 0
  private lastAwarenessAt = 0

  /**
   * Presence goes out at most once per interval per document, every change of the
   * interval in one message: when 100 clients renew their presence at once, each client
   * gets one message with 100 states rather than 100 messages (which stalled fan-out).
   * Renewals alone wait longer (`awarenessRenewalMs`): the storm of 100 clients renewing
   * within a second or two becomes one message instead of one every interval.
   */
  private queueAwareness(changed: number[], source: Connection | 'relay', renewalOnly: boolean): void {
    const into = source === 'relay' ? this.awarenessRelayed : this.awarenessLocal
    for (const client of changed) into.add(client)
    if (source !== 'relay') this.awarenessSources.add(source)
    const now = Date.now()
    const dueAt = renewalOnly ? now + this.limits.awarenessRenewalMs : Math.max(now, this.lastAwarenessAt + this.limits.awarenessIntervalMs)
    if (this.awarenessTimer && this.awarenessDueAt <= dueAt) return
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer)
    this.awarenessDueAt = dueAt
    this.awarenessTimer = setTimeout(() => this.flushAwareness(), dueAt - now)
  }

  /** Sends the presence changes waiting (also called when a connection leaves). */
  flushAwareness(): void {
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer)
    this.awarenessTimer = null
    if (this.destroyed || (this.awarenessLocal.size === 0 && this.awarenessRelayed.size === 0)) return
    this.lastAwarenessAt = Date.now()
    const local = [...this.awarenessLocal]
    const all = [...new Set([...local, ...this.awarenessRelayed])]
    const sources = [...this.awarenessSources]
    // Only one client's own presence: it need not get it back.
    const except = sources.length === 1 && this.awarenessRelayed.size === 0 ? sources[0]! : null
    this.awarenessLocal.clear()
    this.awarenessRelayed.clear()
    this.awarenessSources.clear()
    const message = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, all))
    this.broadcast(message, except)
    if (local.length > 0) this.hooks.publishAwareness(this, awarenessProtocol.encodeAwarenessUpdate(this.awareness, local))
  }

  /** Queues a client update for the next commit (size cap checked here). Returns false if refused. */
  enqueueUpdate(update: Uint8Array, from: Connection): boolean {
    if (this.storedBytes + this.incomingBytes + update.length > this.limits.maxDocumentBytes) return false
    if (this.incoming.length === 0) this.queuedAt = performance.now()
    this.incoming.push({ kind: 'update', update, from })
    this.incomingBytes += update.length
    this.hooks.markDirty(this)
    return true
  }

  /** Queues a server change; resolves once it is committed (and sent). */
  enqueueMutation(mutate: DocumentMutation): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.incoming.length === 0) this.queuedAt = performance.now()
      this.incoming.push({ kind: 'mutation', mutate, done: { resolve, reject } })
      this.hooks.markDirty(this)
    })
  }

  /** Applies every waiting change in one transaction; the caller commits the result. */
  takeBatch(): Batch {
    const items = this.incoming
    this.incoming = []
    this.incomingBytes = 0
    const waiters: Batch['waiters'] = []
    let soleSource: Connection | null | undefined
    this.captured = null
    Y.transact(
      this.ydoc,
      () => {
        for (const item of items) {
          if (item.kind === 'update') {
            if (item.from.closed && item.from.failed) continue
            soleSource = soleSource === undefined || soleSource === item.from ? item.from : null
            try {
              Y.applyUpdate(this.ydoc, item.update, this)
            } catch (err) {
              item.from.fail(new ProtocolError(`update could not be applied: ${(err as Error).message}`))
            }
          } else {
            soleSource = null
            try {
              item.mutate(this.ydoc)
              waiters.push(item.done)
            } catch (err) {
              item.done.reject(err)
            }
          }
        }
      },
      this,
    )
    const update = this.captured
    this.captured = null
    if (update) this.committing = true
    return { doc: this, update, soleSource: soleSource ?? null, waiters, changes: items.length, queuedAt: this.queuedAt }
  }

  get logRows(): number {
    return this.log.size
  }

  addLogRow(id: number, bytes: number): void {
    if (this.log.has(id)) return
    this.log.set(id, bytes)
    this.logBytes += bytes
  }

  /** Rows a snapshot now covers (or that another instance folded). */
  dropLogRows(ids: Iterable<number>): void {
    for (const id of ids) {
      const bytes = this.log.get(id)
      if (bytes === undefined) continue
      this.log.delete(id)
      this.logBytes -= bytes
    }
  }

  /** The batch is durable as log row `id`: send it to every client (and let deferred sync replies go). */
  committed(batch: Batch, id: number | undefined): void {
    this.committing = false
    if (batch.update) {
      if (id !== undefined) this.addLogRow(id, batch.update.length)
      this.broadcast(updateMessage(batch.update), batch.soleSource)
    }
    for (const waiter of batch.waiters) waiter.resolve()
    this.runAfterCommit()
  }

  /** An update committed by another instance as log row `id`. */
  applyRemote(update: Uint8Array, id: number | undefined): void {
    Y.applyUpdate(this.ydoc, update, 'relay')
    if (id !== undefined) this.addLogRow(id, update.length)
    this.broadcast(updateMessage(update), null)
  }

  applyRemoteAwareness(update: Uint8Array): void {
    // Applied at once (so a newcomer sees it); sent to local clients with the next batch.
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, 'relay')
  }

  /** Runs now, or after the commit in flight (so a reply never shows uncommitted state). */
  whenCommitted(fn: () => void): void {
    if (this.committing) this.afterCommit.push(fn)
    else fn()
  }

  private runAfterCommit(): void {
    const waiting = this.afterCommit
    this.afterCommit = []
    for (const fn of waiting) fn()
  }

  broadcast(frame: Uint8Array, except: Connection | null): void {
    for (const connection of this.connections) if (connection !== except) connection.send(frame)
  }

  /** Called on a failed commit: drop everything in memory, clients reconnect and resend. */
  fail(err: unknown, waiters: Batch['waiters']): void {
    for (const waiter of waiters) waiter.reject(err)
    for (const item of this.incoming) if (item.kind === 'mutation') item.done.reject(err)
    this.incoming = []
    this.committing = false
    this.afterCommit = []
    for (const connection of [...this.connections]) connection.close(DocCloseCode.internalError, 'storage unavailable; reconnect')
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer)
    if (this.unloadTimer) clearTimeout(this.unloadTimer)
    this.unfollow()
    // The awareness keeps an interval timer alive until destroyed.
    this.awareness.destroy()
    this.ydoc.destroy()
  }

  removeConnection(connection: Connection): void {
    if (!this.connections.delete(connection)) return
    if (connection.clients.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...connection.clients], 'local')
    this.hooks.connectionClosed(this, connection)
  }

  get hooksLog() {
    return this.hooks.log
  }
}

/** One client socket on one document. */
export class Connection {
  readonly clients = new Set<number>()
  closed = false
  failed = false

  constructor(
    readonly socket: WebSocket,
    readonly doc: LiveDocument,
    public access: DocumentAccess,
    readonly userId: string,
  ) {}

  /** Sends unless closed; a peer that cannot keep up is dropped. */
  send(frame: Uint8Array): void {
    if (this.closed || this.socket.readyState !== 1) return
    this.socket.send(frame, { binary: true })
    if (this.socket.bufferedAmount > this.doc.limits.maxSendBufferBytes) this.close(DocCloseCode.slowConsumer, 'too slow: send buffer full')
  }

  /** The first thing a client gets: our state vector and everyone's presence. */
  start(): void {
    this.doc.whenCommitted(() => this.send(syncStep1Message(this.doc.ydoc)))
    const states = [...this.doc.awareness.getStates().keys()]
    if (states.length > 0) this.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.doc.awareness, states)))
  }

  handle(frame: Uint8Array): void {
    // Nothing is taken from a socket we are closing (revoked access, logout).
    if (this.closed || this.socket.readyState !== 1) return
    try {
      const message = decodeMessage(frame)
      switch (message.type) {
        case 'sync-step1': {
          const stateVector = message.stateVector
          decodeStateVector(stateVector)
          this.doc.whenCommitted(() => {
            if (!this.doc.destroyed) this.send(syncStep2Message(Y.encodeStateAsUpdate(this.doc.ydoc, stateVector)))
          })
          break
        }
        case 'sync-update': {
          // Read-only: dropped unread (y-protocols PROTOCOL.md, "Handling read-only users").
          if (this.access !== 'write') return
          assertValidUpdate(message.update)
          if (!this.doc.enqueueUpdate(message.update, this)) {
            this.send(deniedMessage('document.too_large: this change would make the document larger than its limit'))
            this.close(DocCloseCode.tooLarge, 'document size limit reached')
          }
          break
        }
        case 'awareness': {
          awarenessClients(message.update)
          awarenessProtocol.applyAwarenessUpdate(this.doc.awareness, message.update, this)
          break
        }
        case 'query-awareness': {
          const states = [...this.doc.awareness.getStates().keys()]
          this.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.doc.awareness, states)))
          break
        }
      }
    } catch (err) {
      this.fail(err)
    }
  }

  fail(err: unknown): void {
    this.failed = true
    this.doc.hooksLog.debug({ err, docName: this.doc.name }, 'closing a document socket that broke the protocol')
    this.close(DocCloseCode.protocolError, 'protocol error')
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    // A goodbye (null state) may still wait for its slot: send it now.
    this.doc.flushAwareness()
    try {
      this.socket.close(code, reason)
    } catch {
      this.socket.terminate()
    }
    this.doc.removeConnection(this)
  }

  /** The socket went away on its own. */
  closedByPeer(): void {
    if (this.closed) return
    this.closed = true
    // A goodbye (null state) may still wait for its slot: send it now.
    this.doc.flushAwareness()
    this.doc.removeConnection(this)
  }
}
