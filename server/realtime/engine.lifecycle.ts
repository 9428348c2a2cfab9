import * as Y from 'yjs'
import { LiveDocument, type DocumentHooks } from './document.js'
import type { EngineOptions } from './engine.options.js'
import type { GroupCommit } from './engine.persistence.js'
import type { KindRegistry } from './kinds.js'
import type { Relay } from './relay.js'

export type DocumentLifecycleOptions = EngineOptions & {
  kinds: KindRegistry
  /** The loaded documents by name, shared with the rest of the engine. */
  documents: Map<string, LiveDocument>
  commits: Pick<GroupCommit, 'markDirty' | 'settle' | 'compact'>
  /** Out of memory for good. */
  drop(doc: LiveDocument): void
}

/**
 * Brings documents into memory and takes them out: one load per name at a time, at most
 * `maxConcurrentLoads` loads together, and an unload `unloadAfterMs` after the last client
 * left (once its changes are committed and its log compacted).
 */
export function createDocumentLifecycle(options: DocumentLifecycleOptions) {
  const { documents, commits } = options
  const loading = new Map<string, Promise<LiveDocument>>()

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

  const hooks: DocumentHooks = {
    markDirty: (doc) => commits.markDirty(doc),
    publishAwareness(doc, update) {
      options.relay.publish(doc.name, { type: 'awareness', data: update })
    },
    connectionClosed(doc) {
      if (doc.connections.size === 0) scheduleUnload(doc)
    },
    log: options.log,
  }

  async function load(docName: string): Promise<LiveDocument> {
    const resolved = options.kinds.resolve(docName)
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
        // A resync before the load is done is moot: the load reads the database after it.
        if (message.type === 'resync') return void (loaded && catchUp(live))
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
      const mutation = resolved.kind.onLoad
        ? await resolved.kind.onLoad({ docName, params: resolved.params, isNew })
        : null
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
      documents.set(docName, live)
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

  /**
   * After a relay gap: merges what the database holds and this replica lacks (updates other
   * instances committed while their relay messages were lost) and sends it to its clients.
   */
  async function catchUp(live: LiveDocument): Promise<void> {
    if (live.destroyed) return
    try {
      const stored = await options.store.load(live.name)
      if (live.destroyed) return
      const scratch = new Y.Doc()
      Y.transact(scratch, () => {
        if (stored.snapshot) Y.applyUpdate(scratch, stored.snapshot)
        for (const update of stored.updates) Y.applyUpdate(scratch, update)
      })
      const missing = Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(live.ydoc))
      scratch.destroy()
      live.applyRemote(missing, undefined)
      stored.ids.forEach((id, i) => live.addLogRow(id, stored.updates[i]!.length))
      options.log.info({ docName: live.name, bytes: missing.length }, 'realtime: caught up after a relay gap')
    } catch (err) {
      options.log.warn({ err, docName: live.name }, 'realtime: catching up after a relay gap failed')
    }
  }

  /** The loaded document, loading it if needed (one load per name at a time). */
  async function acquire(docName: string): Promise<LiveDocument> {
    for (;;) {
      const live = documents.get(docName)
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
        await commits.settle(doc)
        if (doc.logRows > 0) await commits.compact(doc)
      } finally {
        options.drop(doc)
      }
    })()
    await doc.unloading
  }

  return { acquire, scheduleUnload, unload }
}

export type DocumentLifecycle = ReturnType<typeof createDocumentLifecycle>
