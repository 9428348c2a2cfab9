import * as Y from 'yjs'
import type { Batch, LiveDocument } from './document.js'
import type { EngineOptions } from './engine.options.js'
import type { EngineMetrics } from './engine.stats.js'

type CommitSettings = 'store' | 'relay' | 'log' | 'compactAfterRows' | 'compactAfterBytes' | 'maxRowsPerCommit'
export type GroupCommitOptions = Pick<EngineOptions, CommitSettings> & {
  metrics: EngineMetrics
  /** A commit failed: the document leaves memory (its clients reconnect and resend). */
  drop(doc: LiveDocument): void
}

/**
 * Makes changes durable. Group commit: when no commit is in flight a change is written at
 * once; what arrives meanwhile goes into the next multi-row insert. A change is sent to
 * anyone only after it is committed, and relayed to other instances with its log row id.
 * A document whose log grew past the limits is compacted into a new snapshot.
 */
export function createGroupCommit(options: GroupCommitOptions) {
  const dirty = new Set<LiveDocument>()
  let inFlight: Promise<void> | null = null
  let scheduled = false
  const maxRows = options.maxRowsPerCommit ?? 1000

  function markDirty(doc: LiveDocument) {
    dirty.add(doc)
    scheduleFlush()
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
        const changes = batches.reduce((n, batch) => n + batch.changes, 0)
        options.metrics.committed(commitStarted, rows.length, changes)
      } catch (err) {
        options.log.error(
          { err, rows: rows.length },
          'realtime: commit failed; dropping the affected documents from memory',
        )
        for (const batch of batches) {
          batch.doc.fail(err, batch.waiters)
          options.drop(batch.doc)
        }
        return
      }
      for (const batch of batches) {
        const id = ids.get(batch.doc.name)
        if (batch.update) options.relay.publish(batch.doc.name, { type: 'update', data: batch.update, id })
        batch.doc.committed(batch, id)
        if (batch.update) {
          options.metrics.delivered(batch.queuedAt)
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

  /** Resolves once nothing of this document waits for a commit or is being committed. */
  async function settle(doc: LiveDocument): Promise<void> {
    while (doc.incoming.length > 0 || doc.committing) await flush()
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

  return { markDirty, flush, settle, compact }
}

export type GroupCommit = ReturnType<typeof createGroupCommit>
