import { Redis } from 'ioredis'

/** What travels between instances for one document. */
export type RelayMessage = {
  type: 'update' | 'awareness'
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
const streamKey = (docName: string) => `workroom:doc:${docName}`

/**
 * Redis Streams relay: XADD (after the update is committed) to `workroom:doc:<name>`,
 * trimmed by age; one blocking XREAD over the streams of every loaded document, woken with
 * CLIENT UNBLOCK when the set changes. Entries carry the writer's instance id so an
 * instance skips its own.
 */
export async function createRedisRelay(
  url: string,
  options: { instanceId: string; log: { warn(obj: object, msg: string): void } },
): Promise<Relay> {
  const writer = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 })
  const reader = new Redis(url, { lazyConnect: true })
  await Promise.all([writer.connect(), reader.connect()])
  let readerId = Number(await reader.client('ID'))
  reader.on('ready', () => {
    // Reconnected: a new client id to unblock.
    void reader.client('ID').then(
      (id) => (readerId = Number(id)),
      () => {},
    )
  })
  const followed = new Map<string, { lastId: string; handler: RelayHandler }>()
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
          if (entry.o?.toString() === options.instanceId || !entry.d) continue
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
      const last = (await writer.xrevrange(streamKey(docName), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>
      const entry = { lastId: last[0]?.[0] ?? '0-0', handler }
      followed.set(docName, entry)
      interrupt()
      return () => {
        if (followed.get(docName) === entry) followed.delete(docName)
      }
    },
    publish(docName, message) {
      const minId = `${Math.max(0, Date.now() - STREAM_RETENTION_MS)}-0`
      const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength)
      void writer
        .xadd(
          streamKey(docName),
          'MINID',
          '~',
          minId,
          '*',
          't',
          message.type === 'awareness' ? 'a' : 'u',
          'o',
          options.instanceId,
          ...(message.id === undefined ? [] : ['i', String(message.id)]),
          'd',
          data,
        )
        .catch((err: unknown) => options.log.warn({ err, docName }, 'realtime relay: publish failed'))
    },
    async close() {
      closed = true
      interrupt()
      reader.disconnect()
      await running.catch(() => {})
      await writer.quit().catch(() => {})
    },
  }
}
