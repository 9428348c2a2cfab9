import { Readable } from 'node:stream'
import { fileTypeFromBuffer } from 'file-type'

/** Bytes read before deciding what a file is (file-type's own "reasonable" sample). */
const SAMPLE_BYTES = 4100

/**
 * Reads the first bytes of an upload and says what it really is, from magic bytes only
 * (never the name or the client's Content-Type). Returns the type and a stream that yields
 * the whole upload again, the sample included. Errors of `source` flow into that stream.
 */
export async function sniffContentType(source: Readable): Promise<{ contentType: string; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const head: Buffer[] = []
  let headBytes = 0
  let ended = false
  try {
    while (headBytes < SAMPLE_BYTES) {
      const next = await iterator.next()
      if (next.done) {
        ended = true
        break
      }
      head.push(next.value)
      headBytes += next.value.length
    }
  } catch (err) {
    source.destroy()
    throw err
  }
  const sample = Buffer.concat(head)
  const detected = sample.length > 0 ? await fileTypeFromBuffer(sample) : undefined
  const contentType = detected?.mime ?? (looksLikeText(sample) ? 'text/plain' : 'application/octet-stream')
  async function* replay() {
    try {
      yield sample
      if (ended) return
      for (;;) {
        const next = await iterator.next()
        if (next.done) return
        yield next.value
      }
    } finally {
      // Reached on success, on error and when the consumer gives up (too large): the
      // upload stream must not be left half-read.
      if (!source.readableEnded) source.destroy()
    }
  }
  return { contentType, stream: Readable.from(replay(), { objectMode: false }) }
}

/**
 * No magic number, valid UTF-8 (a character cut at the end of the sample is fine) and no
 * control bytes other than tab, newlines and form feed: plain text.
 */
function looksLikeText(sample: Buffer): boolean {
  if (sample.length === 0) return false
  for (const byte of sample) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false
    if (byte === 0x7f) return false
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - incompleteTail(sample)))
    return true
  } catch {
    return false
  }
}

/** How many bytes at the end belong to a UTF-8 sequence the sample cut short (0-3). */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!
    if ((byte & 0xc0) === 0x80) continue // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return need > back ? back : 0
  }
  return 0
}

const maxNameLength = 255

/**
 * The user's file name as harmless metadata: no directories (`../../etc/passwd` -> `passwd`),
 * no control or bidirectional-override characters (`gpj.exe` spoofing), no leading dots,
 * at most 255 characters (the extension kept). It never becomes part of a storage key.
 */
export function sanitizeFileName(raw: string | undefined | null): string {
  let name = (raw ?? '').toWellFormed().normalize('NFC')
  name = name.split(/[\\/]/).pop() ?? ''
  name = name.replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '')
  name = name.trim().replace(/^\.+/, '').trim()
  const chars = [...name]
  if (chars.length > maxNameLength) {
    const dot = name.lastIndexOf('.')
    const extension = dot > 0 && name.length - dot <= 16 ? [...name.slice(dot)] : []
    name = chars.slice(0, maxNameLength - extension.length).join('') + extension.join('')
  }
  return name || 'file'
}
