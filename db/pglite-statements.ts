import { parse, protocol, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite'

/** What drizzle's PGlite session uses of a client: `query`, and `transaction` whose client has `query`. */
export interface PgliteQueryClient {
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>
  transaction<T>(callback: (tx: Pick<PgliteQueryClient, 'query'>) => Promise<T>): Promise<T>
}

/** Statements kept prepared per database; past this, new texts run unnamed (PGlite never gives memory back). */
const MAX_PREPARED = 300
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i
/** These drop a session's prepared statements (the test helper's `discard all` between tests). */
const FORGETS = /^\s*(discard|deallocate)\b/i
/** Per database, not per wrapper: a second wrapper of the same PGlite must not parse a name again. */
const preparedOf = new WeakMap<PGlite, Map<string, string>>()

const { serialize } = protocol

/**
 * PGlite's own `query` sends a statement as six calls into its WebAssembly Postgres (parse,
 * describe the statement for its parameters' types, bind, describe, execute, sync) and has it
 * parsed and planned every time. Here a statement is one call: the first time it is parsed under
 * a name (per database, by its text: drizzle builds the same text for the same query shape), then
 * only bound and executed. A one-row select by key: ~500 -> ~180 us (docs/performance.md).
 *
 * Parameters go as text with their types left to Postgres (as PGlite sends them without
 * `paramTypes`): strings as they are, numbers, bigints and booleans as their text, dates as
 * ISO 8601, bytes as bytea's hex form. A parameter whose text depends on its type (an array,
 * an object for JSON) and any query with PGlite's own options (a blob, parameter types,
 * serializers) go through PGlite's own `query`. Results are parsed by PGlite's own parser, and
 * the same locks are taken: a statement outside a transaction waits for the transaction under
 * way, as PGlite's does.
 */
export function withPreparedStatements(pg: PGlite): PgliteQueryClient {
  let names = preparedOf.get(pg)
  if (!names) preparedOf.set(pg, (names = new Map()))
  const prepared = names

  async function run<T>(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results<T>> {
    return pg._runExclusiveQuery(async () => {
      let name = prepared.get(text)
      const parseFirst = name === undefined
      if (name === undefined && prepared.size < MAX_PREPARED && PREPARABLE.test(text))
        name = `workroom_${prepared.size}`
      const parts: Uint8Array[] = []
      if (parseFirst) parts.push(serialize.parse({ text, ...(name ? { name } : {}) }))
      parts.push(
        serialize.bind({ ...(name ? { statement: name } : {}), values: params.map(asText) }),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
        serialize.sync(),
      )
      const { messages } = await pg.execProtocol(concat(parts), { syncToFs: false, throwOnError: false })
      // Postgres keeps a statement it parsed even when binding or running it then failed.
      if (parseFirst && name && messages.some((m) => m.name === 'parseComplete')) prepared.set(text, name)
      const failed = messages.find((m) => m.name === 'error')
      if (failed) throw Object.assign(failed, { query: text, params, queryOptions: options })
      if (!name && FORGETS.test(text)) prepared.clear()
      return parse.parseResults(messages, pg.parsers, options)[0] as Results<T>
    })
  }

  const fast = (params: unknown[], options: QueryOptions | undefined) =>
    !options?.blob && !options?.paramTypes && !options?.serializers && params.every(isScalar)

  return {
    async query<T>(text: string, params: unknown[] = [], options?: QueryOptions) {
      if (!fast(params, options)) return pg.query<T>(text, params, options)
      await pg._checkReady()
      const result = await pg._runExclusiveTransaction(() => run<T>(text, params, options))
      await pg.syncToFs()
      return result
    },
    transaction(callback) {
      return pg.transaction((tx) =>
        callback({
          async query<T>(text: string, params: unknown[] = [], options?: QueryOptions) {
            if (tx.closed) throw new Error('Transaction is closed')
            return fast(params, options) ? run<T>(text, params, options) : tx.query<T>(text, params, options)
          },
        }),
      )
    },
  }
}

function isScalar(value: unknown): boolean {
  if (value === null || value === undefined) return true
  const type = typeof value
  return (
    type === 'string' ||
    type === 'number' ||
    type === 'bigint' ||
    type === 'boolean' ||
    value instanceof Date ||
    value instanceof Uint8Array
  )
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array)
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`
  return String(value)
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
