import type { WebSocket } from 'ws'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { DocumentAccess } from './kinds.js'
import {
  assertValidUpdate,
  awarenessClients,
  awarenessMessage,
  decodeMessage,
  decodeStateVector,
  deniedMessage,
  syncStep1Message,
  syncStep2Message,
} from './protocol.js'

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

/** What a connection needs of its document (LiveDocument in document.ts). */
export interface ConnectionDocument {
  readonly name: string
  readonly ydoc: Y.Doc
  readonly awareness: awarenessProtocol.Awareness
  readonly presence: { flush(): void }
  readonly limits: { maxSendBufferBytes: number }
  readonly destroyed: boolean
  readonly hooksLog: { debug(obj: object, msg: string): void }
  /** Runs now, or after the commit in flight (so a reply never shows uncommitted state). */
  whenCommitted(fn: () => void): void
  /** Queues a client update for the next commit; false when the size cap refuses it. */
  enqueueUpdate(update: Uint8Array, from: Connection): boolean
  removeConnection(connection: Connection): void
}

/** One client socket on one document. */
export class Connection {
  readonly clients = new Set<number>()
  closed = false
  failed = false

  constructor(
    readonly socket: WebSocket,
    readonly doc: ConnectionDocument,
    public access: DocumentAccess,
    readonly userId: string,
  ) {}

  /** Sends unless closed; a peer that cannot keep up is dropped. */
  send(frame: Uint8Array): void {
    if (this.closed || this.socket.readyState !== 1) return
    this.socket.send(frame, { binary: true })
    if (this.socket.bufferedAmount > this.doc.limits.maxSendBufferBytes)
      this.close(DocCloseCode.slowConsumer, 'too slow: send buffer full')
  }

  /** The first thing a client gets: our state vector and everyone's presence. */
  start(): void {
    this.doc.whenCommitted(() => this.send(syncStep1Message(this.doc.ydoc)))
    const states = [...this.doc.awareness.getStates().keys()]
    if (states.length > 0)
      this.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.doc.awareness, states)))
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
          // A client with nothing the server lacks answers our SyncStep1 with an empty update
          // (no structs, no deletions): nothing to commit or send, so no group commit for it.
          if (message.update.length === 2 && message.update[0] === 0 && message.update[1] === 0) break
          assertValidUpdate(message.update)
          if (!this.doc.enqueueUpdate(message.update, this)) {
            this.send(deniedMessage('document.too_large: this change would make the document larger than its limit'))
            this.close(DocCloseCode.tooLarge, 'document size limit reached')
          }
          break
        }
        case 'awareness': {
          // Presence is a write too: a read-only viewer's cursor or name must not reach the others.
          if (this.access !== 'write') return
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
    this.doc.presence.flush()
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
    this.doc.presence.flush()
    this.doc.removeConnection(this)
  }
}
