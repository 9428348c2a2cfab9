import { protocol } from '@electric-sql/pglite'

const { messages } = protocol
const utf8 = new TextDecoder()

/** The messages of one backend answer, as PGlite's own parser makes them (its classes, its fields). */
export type BackendMessage = { name: string; length: number }

/**
 * Reads a whole answer of PGlite's Postgres (the bytes `execProtocolRaw` returns) into PGlite's
 * own message objects, so that its `parseResults` and error handling read them as they read its
 * parser's. PGlite's streaming parser copies every field of every row into an ArrayBuffer of its
 * own before decoding it (and each piece of the answer once more): a search of 20 jobs spent a
 * tenth of its request there. Here a field is decoded from a view of the answer.
 */
export function readMessages(bytes: Uint8Array): BackendMessage[] {
  const reader = new Reader(bytes)
  const out: BackendMessage[] = []
  while (reader.at + 5 <= bytes.length) {
    const code = bytes[reader.at]!
    const length = reader.view.getUint32(reader.at + 1)
    const end = reader.at + 1 + length
    if (length < 4 || end > bytes.length) throw new Error(`truncated answer from the database (message ${code})`)
    reader.at += 5
    reader.end = end
    out.push(readMessage(code, length, reader))
    reader.at = end
  }
  if (reader.at !== bytes.length) throw new Error('truncated answer from the database')
  return out
}

/** A cursor over the answer (a class, not closures made per message: this runs for every row). */
class Reader {
  readonly view: DataView
  at = 0
  end = 0
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  int16() {
    this.at += 2
    return this.view.getInt16(this.at - 2)
  }
  uint16() {
    this.at += 2
    return this.view.getUint16(this.at - 2)
  }
  int32() {
    this.at += 4
    return this.view.getInt32(this.at - 4)
  }
  text(size: number) {
    this.at += size
    return utf8.decode(this.bytes.subarray(this.at - size, this.at))
  }
  cstring() {
    const zero = this.bytes.indexOf(0, this.at)
    const stop = zero === -1 || zero >= this.end ? this.end : zero
    const value = utf8.decode(this.bytes.subarray(this.at, stop))
    this.at = stop + 1
    return value
  }
}

function readMessage(code: number, length: number, r: Reader) {
  switch (code) {
    case 0x44: {
      // D: a row
      const fields: Array<string | null> = new Array(r.int16())
      for (let i = 0; i < fields.length; i++) {
        const size = r.int32()
        fields[i] = size === -1 ? null : r.text(size)
      }
      return new messages.DataRowMessage(length, fields as string[])
    }
    case 0x54: {
      // T: the row's description
      const message = new messages.RowDescriptionMessage(length, r.int16())
      for (let i = 0; i < message.fieldCount; i++) {
        const name = r.cstring()
        const tableId = r.int32()
        const columnId = r.int16()
        const typeId = r.int32()
        const typeSize = r.int16()
        const modifier = r.int32()
        const format = r.int16() === 0 ? 0 : 1
        message.fields[i] = new messages.Field(name, tableId, columnId, typeId, typeSize, modifier, format)
      }
      return message
    }
    case 0x74: {
      // t: a statement's parameters
      const message = new messages.ParameterDescriptionMessage(length, r.uint16())
      for (let i = 0; i < message.parameterCount; i++) message.dataTypeIDs[i] = r.int32()
      return message
    }
    case 0x43:
      return new messages.CommandCompleteMessage(length, r.cstring())
    case 0x5a:
      return new messages.ReadyForQueryMessage(length, r.text(1))
    case 0x31:
      return messages.parseComplete
    case 0x32:
      return messages.bindComplete
    case 0x33:
      return messages.closeComplete
    case 0x6e:
      return messages.noData
    case 0x73:
      return messages.portalSuspended
    case 0x49:
      return messages.emptyQuery
    case 0x53:
      return new messages.ParameterStatusMessage(length, r.cstring(), r.cstring())
    case 0x41:
      return new messages.NotificationResponseMessage(length, r.int32(), r.cstring(), r.cstring())
    case 0x45:
    case 0x4e: {
      // E: an error, N: a notice
      const fields: Record<string, string> = {}
      while (r.at < r.end && r.bytes[r.at] !== 0) {
        const key = String.fromCharCode(r.bytes[r.at]!)
        r.at += 1
        fields[key] = r.cstring()
      }
      const message =
        code === 0x45
          ? new messages.DatabaseError(fields.M ?? '', length, 'error')
          : new messages.NoticeMessage(length, fields.M)
      return Object.assign(message, {
        severity: fields.S,
        code: fields.C,
        detail: fields.D,
        hint: fields.H,
        position: fields.P,
        internalPosition: fields.p,
        internalQuery: fields.q,
        where: fields.W,
        schema: fields.s,
        table: fields.t,
        column: fields.c,
        dataType: fields.d,
        constraint: fields.n,
        file: fields.F,
        line: fields.L,
        routine: fields.R,
      })
    }
    default:
      // Nothing the extended protocol answers a query with (COPY goes through PGlite's own query):
      // an error, as PGlite's parser makes it.
      return new messages.DatabaseError(`received invalid response: ${code.toString(16)}`, length, 'error')
  }
}
