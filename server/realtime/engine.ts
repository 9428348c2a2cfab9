import type * as Y from 'yjs'
import type { LiveDocument } from './document.js'
import { createConnections } from './engine.connections.js'
import { createDocumentLifecycle } from './engine.lifecycle.js'
import type { EngineOptions } from './engine.options.js'
import { createGroupCommit } from './engine.persistence.js'
import { createEngineMetrics, type EngineStats } from './engine.stats.js'
import { createKindRegistry, type DocumentKind, type DocumentMutation } from './kinds.js'

/**
 * The CRDT engine: loads documents and unloads them (engine.lifecycle.ts), accepts
 * connections (engine.connections.ts), group-commits changes and sends a change to anyone
 * only after it is committed, relays it to other instances and compacts
 * (engine.persistence.ts). Knows no domain: modules register document kinds.
 */
export function createRealtimeEngine(options: EngineOptions) {
  const kinds = createKindRegistry()
  const metrics = createEngineMetrics()
  const documents = new Map<string, LiveDocument>()
  let closing = false
  const drop = (doc: LiveDocument) => {
    doc.destroy()
    if (documents.get(doc.name) === doc) documents.delete(doc.name)
  }
  const commits = createGroupCommit({ ...options, metrics, drop })
  const lifecycle = createDocumentLifecycle({ ...options, kinds, documents, commits, drop })
  const connections = createConnections({ ...options, documents, lifecycle, isClosing: () => closing })

  return {
    /** Registers a kind of document (called by the module that owns it). */
    registerKind<P>(kind: DocumentKind<P>): void {
      kinds.register(kind)
    },

    /** Which kind a name belongs to (null: unknown name). */
    resolve: (docName: string) => kinds.resolve(docName),

    accept: connections.accept,

    /** A server change to a document (loading it if needed); resolves once committed and sent. */
    async write(docName: string, mutate: DocumentMutation): Promise<void> {
      for (;;) {
        const doc = await lifecycle.acquire(docName)
        if (doc.destroyed) continue
        return doc.enqueueMutation(mutate)
      }
    },

    /** Reads a document's committed state (loading it if needed). */
    async read<T>(docName: string, read: (doc: Y.Doc) => T): Promise<T> {
      const doc = await lifecycle.acquire(docName)
      await commits.settle(doc)
      return read(doc.ydoc)
    },

    recheckAccess: connections.recheckAccess,

    flush: commits.flush,
    compact: async (docName: string) => {
      const doc = documents.get(docName)
      if (doc) await commits.compact(doc)
    },
    /** Unloads every document without clients now (tests, shutdown). */
    async unloadIdle(): Promise<void> {
      await Promise.all([...documents.values()].filter((d) => d.connections.size === 0).map((d) => lifecycle.unload(d)))
    },
    isLoaded: (docName: string) => documents.has(docName),
    stats(): EngineStats {
      let open = 0
      for (const doc of documents.values()) open += doc.connections.size
      return metrics.stats({ documents: documents.size, connections: open })
    },
    resetLatency: metrics.resetLatency,

    /** Shutdown: stop taking changes, commit everything waiting. Sockets are closed after (1012). */
    async drain(): Promise<void> {
      await commits.flush()
      closing = true
    },

    /** After the sockets are closed: release every document and the relay. */
    async close(): Promise<void> {
      closing = true
      await commits.flush()
      for (const doc of [...documents.values()]) drop(doc)
      await options.relay.close()
    },
  }
}

export type RealtimeEngine = ReturnType<typeof createRealtimeEngine>
