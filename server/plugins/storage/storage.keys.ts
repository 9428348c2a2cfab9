import { StorageInvalidKeyError } from './storage.errors.js'

/** S3's limit on object names. */
const maxKeyLength = 1024

// A segment may not start with a dot: that rules out `.` and `..`, and keeps dot-names free
// for the disk driver's temp files and content-type sidecars, which list() then skips.
const segmentPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/

/** Throws StorageInvalidKeyError unless `key` is a relative `a/b/c` path of plain segments. */
export function assertValidKey(key: string): void {
  const reason = whyInvalid(key)
  if (reason) throw new StorageInvalidKeyError(key, reason)
}

/** Like assertValidKey, but also accepts '' (everything) and a trailing slash. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return
  const reason = whyInvalid(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
  if (reason) throw new StorageInvalidKeyError(prefix, reason)
}

function whyInvalid(key: string): string | null {
  if (typeof key !== 'string' || key === '') return 'is empty'
  if (key.length > maxKeyLength) return `is longer than ${maxKeyLength} characters`
  if (key.includes('\0')) return 'contains a NUL character'
  if (key.includes('\\')) return 'contains a backslash'
  if (key.startsWith('/')) return 'is absolute'
  for (const segment of key.split('/')) {
    if (segment === '') return 'has an empty segment'
    if (segment === '.' || segment === '..') return 'has a relative segment'
    if (!segmentPattern.test(segment))
      return `segment ${JSON.stringify(segment)} starts with a dot or has characters outside [A-Za-z0-9._-]`
  }
  return null
}
