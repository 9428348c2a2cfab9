import { sql, type AnyColumn, type SQL } from 'drizzle-orm'
import { defineErrors } from './errors.js'

const cursorErrors = defineErrors({
  badCursor: [400, 'request.bad_cursor', 'This cursor is not valid for this list'],
})

/**
 * Opaque list cursors: the sort key of the last item and its id, as base64url JSON. The
 * caller validates the decoded shape (`parse` returns null when it does not fit), so a
 * forged or foreign cursor answers 400, never a database error.
 */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor<T>(cursor: string, parse: (value: Record<string, unknown>) => T | null): T {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw cursorErrors.badCursor()
  }
  const parsed =
    value && typeof value === 'object' && !Array.isArray(value) ? parse(value as Record<string, unknown>) : null
  if (parsed === null) throw cursorErrors.badCursor()
  return parsed
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value)
}

/** A cursor timestamp: an ISO string that parses. */
export function parseCursorTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value.length > 40) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

/** The common "created at, then id" cursor of newest-first lists. */
export function timeIdCursor(at: Date, id: string): string {
  return encodeCursor({ t: at.toISOString(), i: id })
}

export interface TimeIdCursor {
  at: Date
  id: string
}

export function parseTimeIdCursor(cursor: string): TimeIdCursor {
  return decodeCursor(cursor, (value) => {
    const at = parseCursorTime(value.t)
    return at && isUuid(value.i) ? { at, id: value.i } : null
  })
}

/**
 * The rows after `cursor` in a list ordered by `at` (a column, or an expression such as an
 * invoice's date) then `id`, both descending (no cursor: no condition).
 */
export function olderThan(
  at: AnyColumn | SQL,
  id: AnyColumn,
  cursor: TimeIdCursor | null | undefined,
): SQL | undefined {
  return cursor ? sql`(${at}, ${id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)` : undefined
}

/**
 * One page of a newest-first list read with `limit + 1` rows: the extra row only tells that
 * another page follows, and the cursor points after the last row shown.
 */
export function timeIdPage<T extends { createdAt: Date; id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? timeIdCursor(last.createdAt, last.id) : null }
}
