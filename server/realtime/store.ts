import { sql } from 'drizzle-orm'
import * as Y from 'yjs'
import { arrayText, queryRows, type Database } from '../../db/client.js'
import { realtimeSnapshotsTable } from '../../db/schema/index.js'
import type { Clock } from '../clock.js'

export interface StoredDocument {
  snapshot: Uint8Array | null
  /** The snapshot's version (`folded_updates`), null without one: see `compact`. */
  version: number | null
  updates: Uint8Array[]
  /** The log rows' ids, in the order of `updates`. */
  ids: number[]
}

export interface CompactionInput {
  /** The whole document as one update (the live document re-encoded). */
  state: Uint8Array
  /** Log rows whose content `state` holds: they are deleted. */
  ids: readonly number[]
  /** The snapshot version `state` already holds (loaded or written by this instance). */
  version: number | null
}

export interface CompactionResult {
  snapshotBytes: number
  /** The ids that were still there and are now deleted (the rest someone else folded). */
  deletedIds: number[]
  version: number
  /** Whether another instance's newer snapshot had to be merged in. */
  merged: boolean
}

/** Where documents live durably: a snapshot plus an update log per document. */
export interface DocumentStore {
  load(docName: string): Promise<StoredDocument>
  /** One multi-row insert, committed before it returns; the new rows' ids by document name. */
  append(rows: ReadonlyArray<{ docName: string; data: Uint8Array }>): Promise<Map<string, number>>
  /**
   * Writes a new snapshot and deletes the log rows it covers, in one transaction. Null when
   * another instance holds the document's compaction lock.
   */
  compact(docName: string, input: CompactionInput): Promise<CompactionResult | null>
}

/** Runs one fixed statement, prepared once, and returns its rows (`DatabaseHandle.query`). */
export type Query = (text: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>

// Bytes travel as base64 text: PGlite parses bytea's hex text form in JavaScript, 10-20x
// slower than Node's native base64 (a 93 KB snapshot: ~12 ms against ~1 ms).
const fromBase64 = (text: string): Uint8Array => Buffer.from(text, 'base64')
const base64 = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')

/**
 * The group commit's insert: one fixed statement for any number of rows, so it is prepared
 * once (drizzle builds the text on every call, which doubled the commit time and tripled its
 * p99 in bench/realtime).
 */
const APPEND = `insert into realtime_updates (doc_name, data) select n, decode(d, 'base64') from unnest($1::text[], $2::text[]) with ordinality as t(n, d, i) order by i returning id, doc_name`

/** A document's snapshot (the row without an id) and its update log, in order. */
const LOAD = `select null::bigint as id, encode(data, 'base64') as data, folded_updates as version from realtime_snapshots where doc_name = $1 union all select id, encode(data, 'base64'), null from realtime_updates where doc_name = $1 order by id nulls first`

/**
 * Compaction writes the live document's own state: it already is the snapshot and every
 * row it has applied replayed onto one Y.Doc, so nothing is read back or replayed (on
 * PGlite, whose queries run on the event loop, reading and replaying 500 rows blocked it
 * for 15-50 ms). Which rows that covers is exact: the ids of the rows the instance loaded,
 * wrote or received through the relay. Rows committed elsewhere and not yet received stay
 * in the log for the next snapshot.
 *
 * The snapshot's version (`folded_updates`) grows with every snapshot written. If it is not
 * the one the instance last saw, another instance wrote a snapshot meanwhile, maybe with
 * rows this instance has not received yet: that snapshot is merged in (replayed onto a
 * Y.Doc with the new state) rather than overwritten. Rows another instance already folded
 * are simply not there to delete; their content is in its snapshot, which this one holds.
 */
/**
 * Lets the event loop run between the statements of a compaction. PGlite executes queries
 * on the event loop and resolves them as microtasks, so a whole transaction otherwise runs
 * as one block (12-15 ms in bench/realtime), during which no socket is served.
 */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve))

export function createSqlDocumentStore(db: Database, clock: Clock, query: Query): DocumentStore {
  return {
    async load(docName) {
      // The log and the snapshot in one statement, so one snapshot of the database: a
      // compaction elsewhere has moved rows from the log into the snapshot or it has not.
      // The snapshot is the row without an id, first.
      const rows = await query(LOAD, [docName])
      const snapshot = rows[0]?.id === null ? rows.shift()! : null
      return {
        snapshot: snapshot ? fromBase64(snapshot.data as string) : null,
        version: snapshot ? Number(snapshot.version) : null,
        updates: rows.map((r) => fromBase64(r.data as string)),
        ids: rows.map((r) => Number(r.id)),
      }
    },

    async append(rows) {
      const ids = new Map<string, number>()
      if (rows.length === 0) return ids
      const inserted = await query(APPEND, [rows.map((r) => r.docName), rows.map((r) => base64(r.data))])
      for (const row of inserted) ids.set(row.doc_name as string, Number(row.id))
      return ids
    },

    async compact(docName, input) {
      const now = clock.now()
      return db.transaction(async (tx) => {
        const [lock] = await queryRows<{ locked: boolean }>(
          tx,
          sql`select pg_try_advisory_xact_lock(hashtext(${`workroom.doc:${docName}`})) as locked`,
        )
        if (!lock?.locked) return null
        await breathe()
        const [current] = await queryRows<{ version: number; data: string | null }>(
          tx,
          sql`select folded_updates as version, case when folded_updates is distinct from ${input.version} then encode(data, 'base64') end as data from realtime_snapshots where doc_name = ${docName} for no key update`,
        )
        let state = input.state
        const merged = Boolean(current?.data)
        if (current?.data) {
          const doc = new Y.Doc()
          try {
            Y.transact(doc, () => {
              Y.applyUpdate(doc, fromBase64(current.data!))
              Y.applyUpdate(doc, input.state)
            })
            state = Y.encodeStateAsUpdate(doc)
          } finally {
            doc.destroy()
          }
        }
        await breathe()
        // One array parameter (as text, which both drivers bind alike), not one per id.
        const deleted = (
          await queryRows<{ id: string | number }>(
            tx,
            sql`delete from realtime_updates where doc_name = ${docName} and id = any(${arrayText(input.ids)}::bigint[]) returning id`,
          )
        ).map((r) => Number(r.id))
        const version = (current?.version ?? 0) + Math.max(1, deleted.length)
        await breathe()
        await tx
          .insert(realtimeSnapshotsTable)
          .values({ docName, data: sql`decode(${base64(state)}, 'base64')`, foldedUpdates: version, updatedAt: now })
          .onConflictDoUpdate({
            target: realtimeSnapshotsTable.docName,
            set: { data: sql`decode(${base64(state)}, 'base64')`, foldedUpdates: version, updatedAt: now },
          })
        return { snapshotBytes: state.length, deletedIds: deleted, version, merged }
      })
    },
  }
}
