import { createRedis } from '../redis.js'

/**
 * What travels between instances for one document. `resync` carries no data: the relay
 * lost messages (Redis was away, a publish failed), so the follower catches the document up
 * from the database, where every committed update is.
 */
export type RelayMessage = {
  type: 'update' | 'awareness' | 'resync'
  data: Uint8Array
  /** An update's log row id. */ id?: number
}
export type RelayHandler = (message: RelayMessage) => void

/**
 * Relays committed updates and awareness between instances. In one process there is
 * nobody to relay to; with Redis every document has its own stream.
 */
export interface Relay {
  /**
   * Starts following a document's stream. Resolves once everything added from now on will
   * be delivered, so call it BEFORE loading the document from the database: an update
   * committed in between arrives through the stream (twice at worst, which Yjs ignores).
   */
  follow(docName: string, handler: RelayHandler): Promise<() => void>
  publish(docName: string, message: RelayMessage): void
  close(): Promise<void>
}

export function createLocalRelay(): Relay {
  return {
    async follow() {
      return () => {}
    },
    publish() {},
    async close() {},
  }
}

/** How long stream entries are kept: they are all persisted already, only late readers need them. */
const STREAM_RETENTION_MS = 60_000
/** A stream nobody writes to disappears after this (documents no instance holds leave no key). */
const STREAM_TTL_MS = 2 * STREAM_RETENTION_MS
const streamKey = (docName: string) => `workroom:doc:${docName}`
const resync: RelayMessage = { type: 'resync', data: new Uint8Array(0) }

/**
 * Redis Streams relay: XADD (after the update is committed) to `workroom:doc:<name>`,
 * trimmed by age and expiring when idle; one blocking XREAD over the streams of every
 * loaded document, woken with CLIENT UNBLOCK when the set changes. Entries carry the
 * writer's instance id so an instance skips its own.
 *
 * Gaps converge: when the reader's connection comes back, every followed document gets a
 * `resync` (catch up from the database); a publish that failed is followed, once the writer
 * is back, by a resync entry in that document's stream, so the other instances catch up too.
 * While Redis is away, documents keep loading, committing and serving their own clients.
 */
export async function createRedisRelay(
  url: string,
  options: { instanceId: string; log: Parameters<typeof createRedis>[1] },
): Promise<Relay> {
  // The writer fails fast while Redis is away (the failure is remembered, see above).
  const writer = createRedis(url, options.log, 'relay writer', { maxRetriesPerRequest: 1, enableOfflineQueue: false })
  const reader = createRedis(url, options.log, 'relay reader')
  await Promise.all([writer.connect(), reader.connect()])
  let readerId = Number(await reader.client('ID'))
  const followed = new Map<string, { lastId: string; handler: RelayHandler }>()
  const deliverResync = (names: Iterable<string>) => {
    for (const name of names) {
      try {
        followed.get(name)?.handler(resync)
      } catch (err) {
        options.log.warn({ err, docName: name }, 'realtime relay: resync failed')
      }
    }
  }
  let readerLost = false
  reader.on('close', () => (readerLost = true))
  reader.on('ready', () => {
    // Reconnected: a new client id to unblock, and whatever was relayed meanwhile is lost.
    void reader.client('ID').then(
      (id) => (readerId = Number(id)),
      () => {},
    )
    if (!readerLost) return
    readerLost = false
    deliverResync([...followed.keys()])
  })
  /** Documents whose publish failed: their streams get a resync entry once the writer is back. */
  const missed = new Set<string>()
  const add = (docName: string, fields: Array<string | Buffer>) => {
    const minId = `${Math.max(0, Date.now() - STREAM_RETENTION_MS)}-0`
    const key = streamKey(docName)
    void writer
      .multi()
      .xadd(key, 'MINID', '~', minId, '*', ...fields)
      .pexpire(key, STREAM_TTL_MS)
      .exec()
      .then((results) => {
        const failed = results?.find(([err]) => err)
        if (failed) throw failed[0]
      })
      .catch((err: unknown) => {
        missed.add(docName)
        options.log.warn({ err, docName }, 'realtime relay: publish failed; the others catch up when Redis is back')
      })
  }
  writer.on('ready', () => {
    for (const name of missed) {
      missed.delete(name)
      add(name, ['t', 'r', 'o', options.instanceId])
    }
  })
  let closed = false
  let wake: (() => void) | null = null
  let reading = false

  const interrupt = () => {
    if (wake) {
      wake()
      wake = null
    } else if (reading) {
      void writer.client('UNBLOCK', readerId).catch(() => {})
    }
  }

  const loop = async () => {
    while (!closed) {
      if (followed.size === 0) {
        await new Promise<void>((resolve) => (wake = resolve))
        continue
      }
      const names = [...followed.keys()]
      const keys = names.map(streamKey)
      const ids = names.map((n) => followed.get(n)!.lastId)
      type ReadResult = Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null
      let result: ReadResult
      try {
        reading = true
        result = (await reader.xreadBuffer('COUNT', 1000, 'BLOCK', 10_000, 'STREAMS', ...keys, ...ids)) as ReadResult
      } catch (err) {
        if (closed) return
        options.log.warn({ err }, 'realtime relay: read failed; retrying')
        await new Promise((resolve) => setTimeout(resolve, 500))
        continue
      } finally {
        reading = false
      }
      for (const [keyBuffer, entries] of result ?? []) {
        const name = keyBuffer.toString().slice('workroom:doc:'.length)
        const follower = followed.get(name)
        if (!follower) continue
        for (const [idBuffer, fields] of entries) {
          follower.lastId = idBuffer.toString()
          const entry: Record<string, Buffer> = {}
          for (let i = 0; i + 1 < fields.length; i += 2) entry[fields[i]!.toString()] = fields[i + 1]!
          if (entry.o?.toString() === options.instanceId) continue
          if (entry.t?.toString() === 'r') {
            deliverResync([name])
            continue
          }
          if (!entry.d) continue
          const type = entry.t?.toString() === 'a' ? 'awareness' : 'update'
          const rowId = entry.i ? Number(entry.i.toString()) : undefined
          try {
            follower.handler({
              type,
              data: new Uint8Array(entry.d.buffer, entry.d.byteOffset, entry.d.byteLength),
              id: Number.isSafeInteger(rowId) ? rowId : undefined,
            })
          } catch (err) {
            options.log.warn({ err, docName: name }, 'realtime relay: handler failed')
          }
        }
      }
    }
  }
  const running = loop()

  return {
    async follow(docName, handler) {
      let lastId: string
      try {
        const last = (await writer.xrevrange(streamKey(docName), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>
        lastId = last[0]?.[0] ?? '0-0'
      } catch {
        // Redis is away: read what is added from a little before now on (its clock may differ
        // from ours; a repeated update is harmless), and catch up from the database (a resync)
        // once it is back.
        lastId = `${Date.now() - 10_000}-0`
        readerLost = true
      }
      const entry = { lastId, handler }
      followed.set(docName, entry)
      interrupt()
      return () => {
        if (followed.get(docName) === entry) followed.delete(docName)
      }
    },
    publish(docName, message) {
      if (message.type === 'resync') return
      const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength)
      add(docName, [
        't',
        message.type === 'awareness' ? 'a' : 'u',
        'o',
        options.instanceId,
        ...(message.id === undefined ? [] : ['i', String(message.id)]),
        'd',
        data,
      ])
    },
    async close() {
      closed = true
      interrupt()
      reader.disconnect()
      await running.catch(() => {})
      await writer.quit().catch(() => writer.disconnect())
    },
  }
}
