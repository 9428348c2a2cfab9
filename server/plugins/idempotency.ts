import { createHash } from 'node:crypto'
import { Type } from '@fastify/type-provider-typebox'
import { and, eq, lt, sql } from 'drizzle-orm'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { queryRows, type Database, type Transaction } from '../../db/client.js'
import { idempotencyKeysTable } from '../../db/schema/index.js'
import type { Clock } from '../clock.js'
import { AppError, defineErrors } from '../http/errors.js'
import { moneyTransaction, pgErrorCode } from '../../db/transactions.js'

/** The answer a money-moving use case gives; stored with the key and replayed on a retry. */
export interface IdempotentOutcome {
  statusCode: number
  body: unknown
  /** Runs once, after the commit, only on the first execution (live updates, notifications). */
  afterCommit?: () => Promise<void>
}

export interface Idempotency {
  /**
   * Runs `work` at most once per (user, Idempotency-Key), in one transaction with the row
   * that records its answer. A retry with the same key and the same request gets the first
   * answer (status and body, header `Idempotent-Replayed: true`) without running again; a
   * request arriving while the first is still running waits for it (on the key's unique
   * index) and then replays it; the same key with a different request answers 422
   * `idempotency.mismatch`. 4xx answers are stored too (the work is rolled back to a
   * savepoint first); a 5xx stores nothing, so the retry runs again.
   */
  run(input: {
    request: FastifyRequest
    reply: FastifyReply
    userId: string
    work: (tx: Transaction) => Promise<IdempotentOutcome>
  }): Promise<FastifyReply>
}

declare module 'fastify' {
  interface FastifyInstance {
    idempotency: Idempotency
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key'
const keyPattern = '^[\\x21-\\x7E]{1,255}$'

/** Put in the `headers` schema of every money-moving route (documents the header; missing -> 400). */
export const IdempotencyHeaders = Type.Object({
  [IDEMPOTENCY_HEADER]: Type.String({
    pattern: keyPattern,
    description:
      'Required. A client-chosen key (1-255 printable ASCII characters, e.g. a UUID) that makes retries safe',
  }),
})

export const idempotencyErrors = defineErrors({
  keyRequired: [400, 'idempotency.key_required', 'This request moves money: send an Idempotency-Key header'],
  mismatch: [422, 'idempotency.mismatch', 'This Idempotency-Key was used with another request'],
  inProgress: [409, 'idempotency.in_progress', 'A request with this Idempotency-Key is still running; retry shortly'],
  busy: [503, 'idempotency.busy', 'Too much contention on these accounts right now; retry shortly (nothing was done)'],
})

const LOCK_TIMEOUT = '55P03'

/** How long a duplicate waits for the first request with its key (and any money transaction for a lock) before answering 409. */
const WAIT_FOR_FIRST = '10s'

/**
 * What makes two requests "the same": method, route, path parameters and the body's bytes
 * exactly as sent (a retry resends the same bytes). Hashing the bytes, not the parsed value,
 * costs the same for any body and cannot be driven into deep recursion.
 */
export function requestFingerprint(request: FastifyRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.method, request.routeOptions.url ?? request.url, request.params ?? {}]))
    .update('\n')
    .update(request.rawBody ?? '')
    .digest('hex')
}

function errorBody(err: AppError, requestId: string): Record<string, unknown> {
  return { ...err.details, code: err.code, message: err.message, requestId }
}

/**
 * Answers with a committed outcome (first run or replay): its after-commit step runs first,
 * and a failure there is only logged, because the change itself is already durable.
 */
export async function sendOutcome(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: IdempotentOutcome & { replayed?: boolean },
): Promise<FastifyReply> {
  if (outcome.afterCommit) {
    await outcome.afterCommit().catch((err: unknown) => request.log.error({ err }, 'after-commit step failed'))
  }
  if (outcome.replayed) void reply.header('idempotent-replayed', 'true')
  const body = outcome.body as { retryAfter?: unknown } | null
  if (outcome.statusCode >= 400 && typeof body?.retryAfter === 'number')
    void reply.header('retry-after', String(body.retryAfter))
  return reply.status(outcome.statusCode).send(outcome.body ?? null)
}

/**
 * `boundLockWaits`: on Postgres every lock wait of a money transaction is bounded (several
 * connections, several instances). PGlite has one connection whose transactions run one after
 * another, so nothing ever waits for a lock there, and the `set local` would cost a statement.
 */
export function createIdempotency(deps: { db: Database; clock: Clock; boundLockWaits: boolean }): Idempotency {
  const { db, clock, boundLockWaits } = deps
  const t = idempotencyKeysTable

  return {
    async run({ request, reply, userId, work }) {
      const raw = request.headers[IDEMPOTENCY_HEADER]
      const key = typeof raw === 'string' ? raw : undefined
      if (!key || !new RegExp(keyPattern).test(key)) throw idempotencyErrors.keyRequired()
      const fingerprint = requestFingerprint(request)

      type Result = { replayed: boolean; statusCode: number; body: unknown; afterCommit?: () => Promise<void> }
      let result: Result
      try {
        result = await moneyTransaction(db, async (tx): Promise<Result> => {
          // On Postgres: bounds every lock wait of the transaction, the first request's key
          // included. Sent with the key's insert (one round trip: Postgres runs them in order).
          const [, inserted] = await Promise.all([
            boundLockWaits ? tx.execute(sql.raw(`set local lock_timeout = '${WAIT_FOR_FIRST}'`)) : null,
            tx
              .insert(t)
              .values({ userId, key, fingerprint, createdAt: clock.now() })
              .onConflictDoNothing()
              .returning({ key: t.key })
              .catch((err: unknown) => {
                if (pgErrorCode(err) === LOCK_TIMEOUT) throw idempotencyErrors.inProgress()
                throw err
              }),
          ])
          if (inserted.length === 0) {
            const [first] = await tx
              .select()
              .from(t)
              .where(and(eq(t.userId, userId), eq(t.key, key)))
            if (!first || first.statusCode === null) throw idempotencyErrors.inProgress()
            if (first.fingerprint !== fingerprint) throw idempotencyErrors.mismatch()
            return { replayed: true, statusCode: first.statusCode, body: first.response }
          }
          let outcome: Omit<Result, 'replayed'>
          try {
            // A savepoint: a refused request (4xx) undoes its partial work but keeps its answer.
            outcome = await tx.transaction((savepoint) => work(savepoint))
          } catch (err) {
            if (!(err instanceof AppError) || err.statusCode >= 500) throw err
            outcome = { statusCode: err.statusCode, body: errorBody(err, request.id) }
          }
          await tx
            .update(t)
            .set({ statusCode: outcome.statusCode, response: outcome.body ?? null })
            .where(and(eq(t.userId, userId), eq(t.key, key)))
          return { replayed: false, ...outcome }
        })
      } catch (err) {
        // Some other lock waited past the bound: the work did nothing; the caller may retry.
        if (pgErrorCode(err) === LOCK_TIMEOUT) throw idempotencyErrors.busy(undefined, { retryAfter: 1 })
        throw err
      }

      return sendOutcome(request, reply, result)
    },
  }
}

/**
 * How long a key is remembered: a retry within 7 days replays the first answer; after that the
 * key is forgotten and a request with it is a new request. Clients retry within seconds or
 * minutes (the web app sends a new key with each attempt a person makes), so a week is far
 * beyond any retry, and the table no longer grows with every money request forever.
 */
export const IDEMPOTENCY_KEY_RETENTION_MS = 7 * 24 * 3600_000
/**
 * Forgets keys older than `before`, `chunk` rows a statement (short locks), at most `maxChunks`
 * statements (the first run after an upgrade may find a large backlog: the rest waits for the
 * next run, rather than holding up the scheduler's pass); answers how many went.
 */
export async function forgetOldKeys(
  db: Database,
  before: Date,
  { chunk = 5_000, maxChunks = 20 }: { chunk?: number; maxChunks?: number } = {},
): Promise<number> {
  let total = 0
  for (let statements = 0; statements < maxChunks; statements++) {
    const [row] = await queryRows<{ deleted: number }>(
      db,
      sql`with gone as (delete from ${idempotencyKeysTable} where ctid in (select ctid from ${idempotencyKeysTable} where ${lt(idempotencyKeysTable.createdAt, before)} limit ${chunk}) returning 1) select count(*)::int as deleted from gone`,
    )
    const deleted = Number(row?.deleted ?? 0)
    total += deleted
    if (deleted < chunk) break
  }
  return total
}

export const idempotencyPlugin = fp<{ clock: Clock }>(
  async (app, { clock }) => {
    app.decorate(
      'idempotency',
      createIdempotency({ db: app.db, clock, boundLockWaits: app.database.driver === 'postgres' }),
    )
    app.scheduler.every('idempotency.old-keys', 3600_000, async () => {
      const deleted = await forgetOldKeys(app.db, new Date(clock.now().getTime() - IDEMPOTENCY_KEY_RETENTION_MS))
      if (deleted > 0) app.log.info({ deleted }, 'idempotency keys older than 7 days forgotten')
    })
  },
  { name: 'idempotency', dependencies: ['database', 'scheduler'] },
)
