import type { WebSocket } from 'ws'
import { Connection, DocCloseCode } from './document.connection.js'
import type { LiveDocument } from './document.js'
import type { EngineOptions } from './engine.options.js'
import type { DocumentLifecycle } from './engine.lifecycle.js'
import type { DocumentAccess } from './kinds.js'

export type ConnectionsOptions = Pick<EngineOptions, 'log' | 'maxSendBufferBytes'> & {
  documents: ReadonlyMap<string, LiveDocument>
  lifecycle: Pick<DocumentLifecycle, 'acquire' | 'scheduleUnload'>
  /** Shutting down: new sockets are turned away (1012). */
  isClosing(): boolean
}

/** Client sockets: admitting them onto a document, and withdrawing access from them later. */
export function createConnections(options: ConnectionsOptions) {
  const { log, lifecycle } = options
  return {
    /**
     * Serves one authenticated, authorized socket on a document. Frames that arrive while
     * the document loads are kept and handled in order once it is ready.
     */
    async accept(
      socket: WebSocket,
      input: {
        docName: string
        /** Authenticates and authorizes; frames that arrive meanwhile are kept and handled in order once admitted. */
        admit(): Promise<{ access: DocumentAccess; userId: string } | { code: number; reason: string }>
      },
    ): Promise<Connection | null> {
      const early: Uint8Array[] = []
      let connection: Connection | null = null
      let earlyBytes = 0
      let gone = false
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        const frame = isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(0)
        if (connection) return connection.handle(frame)
        earlyBytes += frame.length
        // A client that floods before it is admitted is not buffered without bound.
        if (earlyBytes > options.maxSendBufferBytes)
          socket.close(DocCloseCode.tooLarge, 'too much data before the document was ready')
        else early.push(frame)
      })
      socket.on('close', () => {
        gone = true
        connection?.closedByPeer()
      })
      let admitted: Awaited<ReturnType<typeof input.admit>>
      try {
        admitted = await input.admit()
      } catch (err) {
        log.error({ err, docName: input.docName }, 'realtime: admission failed')
        admitted = { code: DocCloseCode.internalError, reason: 'internal error' }
      }
      if ('code' in admitted) {
        if (!gone) socket.close(admitted.code, admitted.reason)
        return null
      }
      if (gone) return null
      let doc: LiveDocument
      try {
        doc = await lifecycle.acquire(input.docName)
      } catch (err) {
        log.error({ err, docName: input.docName }, 'realtime: document failed to load')
        if (!gone) socket.close(DocCloseCode.internalError, 'document could not be loaded')
        return null
      }
      if (gone || options.isClosing()) {
        if (!gone) socket.close(DocCloseCode.restarting, 'server restarting')
        lifecycle.scheduleUnload(doc)
        return null
      }
      connection = new Connection(socket, doc, admitted.access, admitted.userId)
      if (doc.unloadTimer) clearTimeout(doc.unloadTimer)
      doc.connections.add(connection)
      connection.start()
      for (const frame of early) connection.handle(frame)
      early.length = 0 // the socket's listener keeps this array for the connection's life
      return connection
    },

    /** Re-runs authorize for every connection of the matching loaded documents. */
    async recheckAccess(
      matches: (docName: string) => boolean,
      authorize: (docName: string, userId: string) => Promise<'write' | 'read' | null>,
    ) {
      for (const doc of [...options.documents.values()]) {
        if (!matches(doc.name)) continue
        for (const connection of [...doc.connections]) {
          let access: 'write' | 'read' | null
          try {
            access = await authorize(doc.name, connection.userId)
          } catch (err) {
            log.warn({ err, docName: doc.name }, 'realtime: access recheck failed; closing the socket')
            access = null
          }
          if (access === null) connection.close(DocCloseCode.accessRevoked, 'access revoked')
          else connection.access = access
        }
      }
    },
  }
}
