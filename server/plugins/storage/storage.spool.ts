import { createHash } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StorageTooLargeError } from './storage.errors.js'
import { countStreamedBytes } from './storage.collect.js'
import type { PutResult } from './storage.types.js'

/**
 * Streams `source` into a new file at `filePath` (which must not exist), counting and hashing
 * on the way. Stops with StorageTooLargeError as soon as more than `maxBytes` have arrived.
 * On any failure the source is destroyed and the file removed.
 */
export async function spoolToFile(
  source: Readable,
  filePath: string,
  opts: { maxBytes: number; /** fsync before returning */ sync: boolean },
): Promise<PutResult> {
  const { maxBytes } = opts
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    source.destroy()
    throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`)
  }

  const hash = createHash('sha256')
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > maxBytes) return callback(new StorageTooLargeError(maxBytes))
      countStreamedBytes(chunk.length)
      hash.update(chunk)
      callback(null, chunk)
    },
  })

  // Opening the file ourselves (rather than fs.createWriteStream) means it exists before any
  // byte flows, so the cleanup below cannot race the stream's lazy open.
  let handle
  try {
    handle = await open(filePath, 'wx', 0o600)
  } catch (err) {
    source.destroy()
    throw err
  }
  // The stream owns the handle from here and closes it (after an fsync when `flush`).
  const sink = handle.createWriteStream({ flush: opts.sync })
  try {
    await pipeline(source, meter, sink)
  } catch (err) {
    // Wait for the handle to close (events.once would reject on the sink's own 'error').
    if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()))
    await rm(filePath, { force: true })
    throw err
  }
  return { size, sha256: hash.digest('hex') }
}
