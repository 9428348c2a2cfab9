/**
 * True when an error means a dependency (the database) is unreachable or refusing work
 * for now, not that the request was wrong: the answer is 503 with Retry-After, not 500.
 * Looks through wrapped causes (drizzle wraps the driver's error).
 */
export function isDependencyUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code } = current as { code?: unknown }
    if (typeof code === 'string' && (networkCodes.has(code) || unavailableStates.test(code))) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** Node's socket errors and postgres.js's connection errors. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
])

/**
 * SQLSTATEs: class 08 (connection exception), 57P01-57P03 (shutting down, cannot connect
 * now), 53300 (too many connections), 40001/40P01 are NOT here (the caller retries those).
 */
const unavailableStates = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/
