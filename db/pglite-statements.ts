import { parse, protocol, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite'
import { readMessages } from './pglite-messages.js'

/** What drizzle's PGlite session uses of a client: `query`, and `transaction` whose client has `query`. */
export interface PgliteQueryClient {
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>
  transaction<T>(callback: (tx: Pick<PgliteQueryClient, 'query'>) => Promise<T>): Promise<T>
}

type Message = { name: string }
type Statement = { name: string; paramTypes: number[] }

/** Statements kept prepared per database, the least recently used closed past this (PGlite never gives memory back). */
const MAX_PREPARED = 300
/** Only these are kept by name; anything else (DDL, SET, DISCARD) is parsed each time it runs, unnamed. */
const PREPARABLE = /^\s*(select|insert|update|delete|with|values)\b/i
/** COPY's answers (and the files it writes) are PGlite's own `query`'s to handle. */
const COPY = /^\s*copy\b/i
/** These drop every prepared statement of the session (the test helper's `discard all` between tests). */
const FORGETS_ALL = /^\s*(discard\s+all|deallocate\s+(prepare\s+)?all)\s*;?\s*$/i
/**
 * A name Postgres no longer knows (dropped by a reset this wrapper did not see), one that is
 * taken, or a plan whose result columns changed under it (DDL): parse the text again.
 */
const STALE = new Set(['26000', '42P05', '0A000'])

const { serialize } = protocol

/** Per database, not per wrapper: a second wrapper of the same PGlite must not parse a name again. */
const sessions = new WeakMap<PGlite, { statements: Map<string, Statement>; made: number; stale: string[] }>()

/**
 * PGlite's own `query` sends a statement as six calls into its WebAssembly Postgres (parse,
 * describe the statement for its parameters' types, bind, describe, execute, sync) and has it
 * parsed and planned every time. Here the first use of a text parses it under a name and reads
 * its parameters' types (one call), and every use binds and runs it (one call): after the first,
 * one call a statement. A one-row select by key: ~360 -> ~140-200 us (docs/performance.md).
 *
 * Parameters are encoded exactly as PGlite's `query` encodes them, by the type Postgres gives
 * each (`options.serializers`, then PGlite's serializers, else the value's text); results are
 * built by PGlite's `parseResults` from the messages `readMessages` reads; the same locks are
 * taken (a statement outside a transaction waits for the one under way) and the data is synced
 * after a statement outside a transaction, inside the lock, as PGlite does. COPY, and a query
 * with a blob, go through PGlite's own `query`. Not supported here: LISTEN (a notification in an
 * answer is read but reaches no listener; nothing in Workroom listens on PGlite).
 */
export function withPreparedStatements(pg: PGlite, limits: { maxPrepared?: number } = {}): PgliteQueryClient {
  const maxPrepared = limits.maxPrepared ?? MAX_PREPARED
  const state = sessions.get(pg) ?? { statements: new Map<string, Statement>(), made: 0, stale: [] }
  sessions.set(pg, state)
  const { statements } = state

  async function exchange(parts: Uint8Array[], options: QueryOptions | undefined): Promise<Message[]> {
    // Raw, so that PGlite's own parser does not read the answer too (`execProtocolRaw` still
    // parses it); a chunk is a view of the WebAssembly memory, valid only during the call.
    const chunks: Uint8Array[] = []
    await pg.execProtocolRawStream(concat(parts), { syncToFs: false, onRawData: (chunk) => chunks.push(chunk.slice()) })
    const messages = readMessages(chunks.length === 1 ? chunks[0]! : concat(chunks))
    if (options?.onNotice) {
      for (const message of messages) if (message.name === 'notice') options.onNotice(message as never)
    }
    return messages
  }

  const errorIn = (messages: Message[]) =>
    messages.find((m) => m.name === 'error') as (Message & { code?: string }) | undefined
  /** PGlite's own errors, with the statement attached as PGlite's `query` attaches it. */
  const fail = (error: Message, text: string, params: unknown[], options: QueryOptions | undefined) =>
    Object.assign(error, { query: text, params, queryOptions: options })

  /**
   * The text's statement: kept by name after its first use (parsed, its parameters' types read;
   * the least recently used closed past the limit), or parsed unnamed for this run only. Null:
   * an unnamed statement without parameters, parsed in the same call as its run.
   */
  async function prepare(
    text: string,
    params: unknown[],
    options: QueryOptions | undefined,
  ): Promise<Statement | null> {
    const known = statements.get(text)
    if (known) {
      // Most recently used last: the map's order is the eviction order.
      statements.delete(text)
      statements.set(text, known)
      return known
    }
    const keep = PREPARABLE.test(text)
    if (!keep && params.length === 0 && !options?.paramTypes) return null
    const parts: Uint8Array[] = []
    if (keep && statements.size >= maxPrepared) {
      const [oldest, evicted] = statements.entries().next().value as [string, Statement]
      statements.delete(oldest)
      state.stale.push(evicted.name)
    }
    for (const name of state.stale.splice(0)) parts.push(serialize.close({ type: 'S', name }))
    const name = keep ? `workroom_${state.made++}` : ''
    parts.push(
      serialize.parse({ text, name, ...(options?.paramTypes ? { types: options.paramTypes } : {}) }),
      serialize.describe({ type: 'S', name }),
      serialize.sync(),
    )
    const messages = await exchange(parts, options)
    const error = errorIn(messages)
    if (error) throw fail(error, text, params, options)
    const description = messages.find((m) => m.name === 'parameterDescription') as unknown as
      { dataTypeIDs: number[] } | undefined
    const statement = { name, paramTypes: description?.dataTypeIDs ?? [] }
    if (keep) statements.set(text, statement)
    return statement
  }

  function encode(value: unknown, type: number | undefined, options: QueryOptions | undefined): string | null {
    if (value === null || value === undefined) return null
    const serializer = (type !== undefined && (options?.serializers?.[type] ?? pg.serializers[type])) || null
    return serializer ? (serializer(value) as string) : String(value)
  }

  async function run<T>(text: string, params: unknown[], options: QueryOptions | undefined, retry: boolean) {
    const statement = await prepare(text, params, options)
    const messages = await exchange(
      [
        ...(statement ? [] : [serialize.parse({ text })]),
        serialize.bind({
          statement: statement?.name ?? '',
          values: params.map((value, i) => encode(value, statement?.paramTypes[i], options)),
        }),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
        serialize.sync(),
      ],
      options,
    )
    const error = errorIn(messages)
    if (statement && error?.code && STALE.has(error.code) && statements.get(text) === statement) {
      statements.delete(text)
      if (error.code === '0A000') state.stale.push(statement.name)
      // Outside a transaction nothing was lost: parse it again and run it once more.
      if (retry) return run<T>(text, params, options, false)
    }
    if (error) throw fail(error, text, params, options)
    if (FORGETS_ALL.test(text)) {
      statements.clear()
      state.stale.length = 0
    }
    // PGlite merges a query's own parsers into a copy of all of its ~300 on every call; drizzle
    // passes nine with every query. Layered over PGlite's instead, nothing is copied.
    if (!options?.parsers) return parse.parseResults(messages as never, pg.parsers, options)[0] as Results<T>
    const parsers = Object.assign(Object.create(pg.parsers) as typeof pg.parsers, options.parsers)
    return parse.parseResults(messages as never, parsers, { ...options, parsers: undefined })[0] as Results<T>
  }

  return {
    async query<T>(text: string, params: unknown[] = [], options?: QueryOptions) {
      if (options?.blob || COPY.test(text)) return pg.query<T>(text, params, options)
      await pg._checkReady()
      return pg._runExclusiveTransaction(() =>
        pg._runExclusiveQuery(async () => {
          try {
            return await run<T>(text, params, options, true)
          } finally {
            await pg.syncToFs()
          }
        }),
      )
    },
    transaction(callback) {
      return pg.transaction((tx) =>
        callback({
          async query<T>(text: string, params: unknown[] = [], options?: QueryOptions) {
            if (tx.closed) throw new Error('Transaction is closed')
            if (options?.blob || COPY.test(text)) return tx.query<T>(text, params, options)
            // A failed statement aborts the transaction: no retry inside one.
            return pg._runExclusiveQuery(() => run<T>(text, params, options, false))
          },
        }),
      )
    },
  }
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
