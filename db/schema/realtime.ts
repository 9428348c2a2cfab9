import { bigserial, customType, index, integer, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core'

/** Raw bytes (Yjs updates and snapshots). Buffer is a Uint8Array, which both drivers bind as bytea. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
  fromDriver: (value) => value,
})

/**
 * The update log of every shared document: one row per group-committed update (the
 * updates of one document applied in one flush, merged). A document is its snapshot plus
 * every row still here for its name; compaction folds rows into the snapshot and deletes
 * exactly the rows it folded (by id), so rows committed concurrently are never lost.
 */
export const realtimeUpdatesTable = pgTable(
  'realtime_updates',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    docName: varchar('doc_name', { length: 200 }).notNull(),
    data: bytea('data').notNull(),
  },
  (table) => [index('realtime_updates_doc_idx').on(table.docName, table.id)],
)

/** The compacted state of a document (a Yjs update encoding the whole document). */
export const realtimeSnapshotsTable = pgTable('realtime_snapshots', {
  docName: varchar('doc_name', { length: 200 }).primaryKey(),
  data: bytea('data').notNull(),
  /** How many client updates the snapshot folded in over its life (for metrics). */
  foldedUpdates: integer('folded_updates').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
})
