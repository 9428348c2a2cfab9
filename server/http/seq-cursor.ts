import { decodeCursor, encodeCursor } from './page-cursor.js'

/** The opaque cursor of a list ordered by an increasing `seq` column (messages, files, activity). */
export function seqCursor(seq: number): string {
  return encodeCursor({ s: seq })
}

/** The `seq` inside a cursor made by seqCursor; anything else answers 400. */
export function parseSeqCursor(cursor: string): number {
  return decodeCursor(cursor, (value) =>
    Number.isSafeInteger(value.s) && (value.s as number) >= 0 ? (value.s as number) : null,
  )
}
