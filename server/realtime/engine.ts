import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'
import type { WebSocket } from 'ws'
import * as Y from 'yjs'
import { Connection, DocCloseCode, LiveDocument, type Batch, type DocumentLimits } from './document.js'
import { createKindRegistry, type DocumentAccess, type DocumentKind, type DocumentMutation } from './kinds.js'
import type { Relay } from './relay.js'
import type { DocumentStore } from './store.js'

export interface EngineLog {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
  debug(obj: object, msg: string): void
}

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

export interface EngineStats {
  documents: number
  connections: number
  commits: number
  committedRows: number
  /** Client updates and server changes made durable (several may share one row). */
  committedChanges: number
  /** Since start or the last `resetLatency()`, in milliseconds. */
  latency: {
    /** One group commit: the multi-row insert, until the database confirmed it. */
    commit: LatencySummary
    /** A change's wait for the next commit plus that commit, until it was sent to every client. */
    update: LatencySummary
  }
}

export interface LatencySummary {
  count: number
  p50: number
  p99: number
  max: number
}

const summarize = (h: RecordableHistogram): LatencySummary =>
  h.count === 0 ? { count: 0, p50: 0, p99: 0, max: 0 } : { count: h.count, p50: h.percentile(50) / 1000, p99: h.percentile(99) / 1000, max: h.max / 1000 }
/** Records a duration in microseconds (the histogram takes positive integers). */
const recordSince = (h: RecordableHistogram, startedAt: number) => h.record(Math.max(1, Math.round((performance.now() - startedAt) * 1000)))

/**
 * The CRDT engine: loads documents (one load per name at a time), accepts connections,
 * group-commits changes (when no commit is in flight a change is written at once; what
 * arrives meanwhile goes into the next multi-row insert), sends a change to anyone only
 * after it is committed, relays it to other instances, compacts and unloads. Knows no
 * domain: modules register document kinds.
 */
export function createRealtimeEngine(options: EngineOptions) {
  const kinds = createKindRegistry()
  const docs = new Map<string, LiveDocument>()
  const loading = new Map<string, Promise<LiveDocument>>()
  const dirty = new Set<LiveDocument>()
  let inFlight: Promise<void> | null = null
  let scheduled = false
  let closing = false
  const stats = { commits: 0, committedRows: 0, committedChanges: 0 }
  const commitLatency = createHistogram()
  const updateLatency = createHistogram()
  const maxRows = options.maxRowsPerCommit ?? 1000

  // Load slots: at most maxConcurrentLoads loads run together; the rest wait in order.
  let activeLoads = 0
  const loadQueue: Array<() => void> = []
  const takeLoadSlot = async () => {
    if (activeLoads >= options.maxConcurrentLoads) await new Promise<void>((resolve) => loadQueue.push(resolve))
    activeLoads++
  }
  const releaseLoadSlot = () => {
    activeLoads--
    loadQueue.shift()?.()
  }

  const hooks = {
    markDirty(doc: LiveDocument) {
      dirty.add(doc)
      scheduleFlush()
    },
    publishAwareness(doc: LiveDocument, update: Uint8Array) {
      options.relay.publish(doc.name, { type: 'awareness', data: update })
    },
    connectionClosed(doc: LiveDocument) {
      if (doc.connections.size === 0) scheduleUnload(doc)
    },
    log: options.log,
  }

  function scheduleFlush() {
    if (scheduled || inFlight) return
    scheduled = true
    // setImmediate: frames that arrived in the same I/O pass join this commit.
    setImmediate(() => {
      scheduled = false
      void flushOnce()
    })
  }

  /** One group commit of everything waiting; the next starts as soon as it finishes. */
  async function flushOnce(): Promise<void> {
    if (inFlight) return inFlight
    if (dirty.size === 0) return
    const batches: Batch[] = []
    for (const doc of dirty) {
      if (batches.length >= maxRows) break
      dirty.delete(doc)
      if (doc.destroyed) continue
      batches.push(doc.takeBatch())
    }
    const rows = batches.filter((b) => b.update).map((b) => ({ docName: b.doc.name, data: b.update! }))
    inFlight = (async () => {
      let ids: Map<string, number>
      try {
        const commitStarted = performance.now()
        ids = await options.store.append(rows)
        recordSince(commitLatency, commitStarted)
        stats.commits++
        stats.committedRows += rows.length
        for (const batch of batches) stats.committedChanges += batch.changes
      } catch (err) {
        options.log.error({ err, rows: rows.length }, 'realtime: commit failed; dropping the affected documents from memory')
        for (const batch of batches) {
          batch.doc.fail(err, batch.waiters)
          dropDocument(batch.doc)
        }
        return
      }
      for (const batch of batches) {
        const id = ids.get(batch.doc.name)
        if (batch.update) options.relay.publish(batch.doc.name, { type: 'update', data: batch.update, id })
        batch.doc.committed(batch, id)
        if (batch.update) {
          recordSince(updateLatency, batch.queuedAt)
          notifyChange(batch.doc, batch.update)
          maybeCompact(batch.doc)
        }
      }
    })()
    try {
      await inFlight
    } finally {
      inFlight = null
      if (dirty.size > 0) scheduleFlush()
    }
  }

  /** Resolves when everything queued so far is committed. */
  async function flush(): Promise<void> {
    while (inFlight || dirty.size > 0) {
      if (inFlight) await inFlight
      else await flushOnce()
    }
  }

  function notifyChange(doc: LiveDocument, update: Uint8Array) {
    if (!doc.kind.onChange) return
    try {
      doc.kind.onChange({ docName: doc.name, params: doc.params, update })
    } catch (err) {
      options.log.warn({ err, docName: doc.name }, 'realtime: onChange hook failed')
    }
  }

  function maybeCompact(doc: LiveDocument) {
    if (doc.compacting || (doc.logRows <= options.compactAfterRows && doc.logBytes <= options.compactAfterBytes)) return
    void compact(doc)
  }

  /**
   * Writes the live document as the new snapshot and deletes the log rows it holds (see
   * store.ts). Its state is taken between two commits, so it holds nothing uncommitted.
   */
  async function compact(doc: LiveDocument): Promise<void> {
    if (doc.compacting || doc.destroyed) return
    doc.compacting = true
    try {
      await new Promise<void>((resolve) => doc.whenCommitted(resolve))
      if (doc.destroyed) return
      const ids = [...doc.log.keys()]
      const state = Y.encodeStateAsUpdate(doc.ydoc)
      const result = await options.store.compact(doc.name, { state, ids, version: doc.snapshotVersion })
      if (result) {
        // Ids not deleted were folded by another instance, whose snapshot this one merged.
        doc.dropLogRows(ids)
        doc.snapshotVersion = result.version
        doc.snapshotBytes = result.snapshotBytes
      }
    } catch (err) {
      options.log.warn({ err, docName: doc.name }, 'realtime: compaction failed (the log stays; retried later)')
    } finally {
      doc.compacting = false
    }
  }

  function resolveKind(docName: string) {
    return kinds.resolve(docName)
  }

  async function load(docName: string): Promise<LiveDocument> {
    const resolved = resolveKind(docName)
    if (!resolved) throw new Error(`no document kind for ${docName}`)
    await takeLoadSlot()
    let doc: LiveDocument | null = null
    try {
      doc = new LiveDocument(docName, resolved.kind, resolved.params, options, hooks)
      const live = doc
      // Follow the relay before reading the database: nothing committed elsewhere in
      // between is missed. Messages that arrive while loading wait for the load.
      const early: Array<Parameters<Parameters<Relay['follow']>[1]>[0]> = []
      let loaded = false
      live.unfollow = await options.relay.follow(docName, (message) => {
        if (!loaded) return void early.push(message)
        if (live.destroyed) return
        if (message.type === 'update') live.applyRemote(message.data, message.id)
        else live.applyRemoteAwareness(message.data)
      })
      const stored = await options.store.load(docName)
      Y.transact(live.ydoc, () => {
        if (stored.snapshot) Y.applyUpdate(live.ydoc, stored.snapshot)
        for (const update of stored.updates) Y.applyUpdate(live.ydoc, update)
      })
      stored.ids.forEach((id, i) => live.addLogRow(id, stored.updates[i]!.length))
      live.snapshotVersion = stored.version
      live.snapshotBytes = stored.snapshot?.length ?? 0
      loaded = true
      for (const message of early) {
        if (message.type === 'update') live.applyRemote(message.data, message.id)
        else live.applyRemoteAwareness(message.data)
      }
      early.length = 0
      const isNew = !stored.snapshot && stored.updates.length === 0
      const mutation = resolved.kind.onLoad ? await resolved.kind.onLoad({ docName, params: resolved.params, isNew }) : null
      if (mutation) {
        if (isNew) {
          // A fixed client id makes the seed byte-identical wherever it runs.
          const seed = new Y.Doc()
          seed.clientID = 0
          Y.transact(seed, () => mutation(seed))
          const update = Y.encodeStateAsUpdate(seed)
          seed.destroy()
          await live.enqueueMutation((ydoc) => Y.applyUpdate(ydoc, update))
        } else {
          await live.enqueueMutation(mutation)
        }
      }
      docs.set(docName, live)
      scheduleUnload(live)
      return live
    } catch (err) {
      // Nothing half-loaded stays in memory, and nothing was written over stored state.
      doc?.destroy()
      throw err
    } finally {
      releaseLoadSlot()
    }
  }

  /** The loaded document, loading it if needed (one load per name at a time). */
  async function acquire(docName: string): Promise<LiveDocument> {
    for (;;) {
      const live = docs.get(docName)
      if (live && !live.unloading) return live
      if (live?.unloading) {
        await live.unloading
        continue
      }
      let pending = loading.get(docName)
      if (!pending) {
        pending = load(docName).finally(() => loading.delete(docName))
        loading.set(docName, pending)
      }
      return pending
    }
  }

  function scheduleUnload(doc: LiveDocument) {
    if (doc.unloadTimer) clearTimeout(doc.unloadTimer)
    if (doc.connections.size > 0 || doc.destroyed) return
    doc.unloadTimer = setTimeout(() => void unload(doc), options.unloadAfterMs)
    doc.unloadTimer.unref()
  }

  async function unload(doc: LiveDocument): Promise<void> {
    if (doc.connections.size > 0 || doc.unloading || doc.destroyed) return
    doc.unloading = (async () => {
      try {
        while (doc.incoming.length > 0 || doc.committing) await flush()
        if (doc.logRows > 0) await compact(doc)
      } finally {
        dropDocument(doc)
      }
    })()
    await doc.unloading
  }

  function dropDocument(doc: LiveDocument) {
    doc.destroy()
    if (docs.get(doc.name) === doc) docs.delete(doc.name)
  }

  return {
    /** Registers a kind of document (called by the module that owns it). */
    registerKind<P>(kind: DocumentKind<P>): void {
      kinds.register(kind)
    },

    /** Which kind a name belongs to (null: unknown name). */
    resolve: resolveKind,

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
        if (earlyBytes > options.maxSendBufferBytes) socket.close(DocCloseCode.tooLarge, 'too much data before the document was ready')
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
        options.log.error({ err, docName: input.docName }, 'realtime: admission failed')
        admitted = { code: DocCloseCode.internalError, reason: 'internal error' }
      }
      if ('code' in admitted) {
        if (!gone) socket.close(admitted.code, admitted.reason)
        return null
      }
      if (gone) return null
      let doc: LiveDocument
      try {
        doc = await acquire(input.docName)
      } catch (err) {
        options.log.error({ err, docName: input.docName }, 'realtime: document failed to load')
        if (!gone) socket.close(DocCloseCode.internalError, 'document could not be loaded')
        return null
      }
      if (gone || closing) {
        if (!gone) socket.close(DocCloseCode.restarting, 'server restarting')
        scheduleUnload(doc)
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

    /** A server change to a document (loading it if needed); resolves once committed and sent. */
    async write(docName: string, mutate: DocumentMutation): Promise<void> {
      for (;;) {
        const doc = await acquire(docName)
        if (doc.destroyed) continue
        return doc.enqueueMutation(mutate)
      }
    },

    /** Reads a document's committed state (loading it if needed). */
    async read<T>(docName: string, read: (doc: Y.Doc) => T): Promise<T> {
      const doc = await acquire(docName)
      while (doc.incoming.length > 0 || doc.committing) await flush()
      return read(doc.ydoc)
    },

    /** Re-runs authorize for every connection of the matching loaded documents. */
    async recheckAccess(matches: (docName: string) => boolean, authorize: (docName: string, userId: string) => Promise<'write' | 'read' | null>) {
      for (const doc of [...docs.values()]) {
        if (!matches(doc.name)) continue
        for (const connection of [...doc.connections]) {
          let access: 'write' | 'read' | null
          try {
            access = await authorize(doc.name, connection.userId)
          } catch (err) {
            options.log.warn({ err, docName: doc.name }, 'realtime: access recheck failed; closing the socket')
            access = null
          }
          if (access === null) connection.close(DocCloseCode.accessRevoked, 'access revoked')
          else connection.access = access
        }
      }
    },

    flush,
    compact: async (docName: string) => {
      const doc = docs.get(docName)
      if (doc) await compact(doc)
    },
    /** Unloads every document without clients now (tests, shutdown). */
    async unloadIdle(): Promise<void> {
      await Promise.all([...docs.values()].filter((d) => d.connections.size === 0).map((d) => unload(d)))
    },
    isLoaded: (docName: string) => docs.has(docName),
    stats(): EngineStats {
      let connections = 0
      for (const doc of docs.values()) connections += doc.connections.size
      return { documents: docs.size, connections, ...stats, latency: { commit: summarize(commitLatency), update: summarize(updateLatency) } }
    },
    resetLatency(): void {
      commitLatency.reset()
      updateLatency.reset()
    },

    /** Shutdown: stop taking changes, commit everything waiting. Sockets are closed after (1012). */
    async drain(): Promise<void> {
      await flush()
      closing = true
    },

    /** After the sockets are closed: release every document and the relay. */
    async close(): Promise<void> {
      closing = true
      await flush()
      for (const doc of [...docs.values()]) dropDocument(doc)
      await options.relay.close()
    },
  }
}

export type RealtimeEngine = ReturnType<typeof createRealtimeEngine>
