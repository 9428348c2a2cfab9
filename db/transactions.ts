import type { Database, Transaction } from './client.js'

/** The SQLSTATE of a database error (drizzle wraps driver errors; the code sits on a cause). */
export function pgErrorCode(err: unknown): string | undefined {
  for (let current = err, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** Deadlock and serialization failures: the transaction did nothing and may simply run again. */
export const isRetryable = (err: unknown): boolean => {
  const code = pgErrorCode(err)
  return code === '40P01' || code === '40001'
}

/**
 * Runs a money-moving transaction, again (up to `attempts` times) when Postgres aborted it as
 * a deadlock victim or a serialization failure. Accounts are locked in id order, so this is
 * a safety net, not the plan.
 */
export async function moneyTransaction<T>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work)
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt))
    }
  }
}
