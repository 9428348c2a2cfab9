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
  const parsed = value && typeof value === 'object' && !Array.isArray(value) ? parse(value as Record<string, unknown>) : null
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

export function parseTimeIdCursor(cursor: string): { at: Date; id: string } {
  return decodeCursor(cursor, (value) => {
    const at = parseCursorTime(value.t)
    return at && isUuid(value.i) ? { at, id: value.i } : null
  })
}
