import { protocol } from '@electric-sql/pglite'

const { messages } = protocol
const utf8 = new TextDecoder()

/** The messages of one backend answer, as PGlite's own parser makes them (its classes, its fields). */
export type BackendMessage = { name: string; length: number }

/**
 * Reads a whole answer of PGlite's Postgres (the bytes `execProtocolRaw` returns) into PGlite's
 * own message objects, so that its `parseResults` and error handling read them as they read its
 * parser's. PGlite's streaming parser copies every field of every row into an ArrayBuffer of its
 * own before decoding it (and the whole answer once more): a search of 20 jobs spent a tenth of
 * its request there. Here a field is decoded from a view of the answer, which is copied once.
 */
export function readMessages(bytes: Uint8Array): BackendMessage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: BackendMessage[] = []
  let at = 0
  while (at + 5 <= bytes.length) {
    const code = bytes[at]!
    const length = view.getUint32(at + 1)
    const start = at + 5
    const end = at + 1 + length
    if (length < 4 || end > bytes.length) throw new Error(`truncated answer from the database (message ${code})`)
    out.push(readMessage(code, length, bytes, view, start, end))
    at = end
  }
  if (at !== bytes.length) throw new Error('truncated answer from the database')
  return out
}

function readMessage(code: number, length: number, bytes: Uint8Array, view: DataView, start: number, end: number) {
  let at = start
  const int16 = () => ((at += 2), view.getInt16(at - 2))
  const uint16 = () => ((at += 2), view.getUint16(at - 2))
  const int32 = () => ((at += 4), view.getInt32(at - 4))
  const text = (size: number) => ((at += size), utf8.decode(bytes.subarray(at - size, at)))
  const cstring = () => {
    const zero = bytes.indexOf(0, at)
    const stop = zero === -1 || zero >= end ? end : zero
    const value = utf8.decode(bytes.subarray(at, stop))
    at = stop + 1
    return value
  }
  switch (String.fromCharCode(code)) {
    case 'D': {
      const fields: Array<string | null> = new Array(int16())
      for (let i = 0; i < fields.length; i++) {
        const size = int32()
        fields[i] = size === -1 ? null : text(size)
      }
      return new messages.DataRowMessage(length, fields as string[])
    }
    case 'T': {
      const message = new messages.RowDescriptionMessage(length, int16())
      for (let i = 0; i < message.fieldCount; i++) {
        const name = cstring()
        const tableId = int32()
        const columnId = int16()
        const typeId = int32()
        const typeSize = int16()
        const modifier = int32()
        const format = int16() === 0 ? 0 : 1
        message.fields[i] = new messages.Field(name, tableId, columnId, typeId, typeSize, modifier, format)
      }
      return message
    }
    case 't': {
      const message = new messages.ParameterDescriptionMessage(length, uint16())
      for (let i = 0; i < message.parameterCount; i++) message.dataTypeIDs[i] = int32()
      return message
    }
    case 'C':
      return new messages.CommandCompleteMessage(length, cstring())
    case 'Z':
      return new messages.ReadyForQueryMessage(length, text(1))
    case '1':
      return messages.parseComplete
    case '2':
      return messages.bindComplete
    case '3':
      return messages.closeComplete
    case 'n':
      return messages.noData
    case 's':
      return messages.portalSuspended
    case 'I':
      return messages.emptyQuery
    case 'S':
      return new messages.ParameterStatusMessage(length, cstring(), cstring())
    case 'A':
      return new messages.NotificationResponseMessage(length, int32(), cstring(), cstring())
    case 'E':
    case 'N': {
      const fields: Record<string, string> = {}
      while (at < end && bytes[at] !== 0) {
        const key = String.fromCharCode(bytes[at]!)
        at += 1
        fields[key] = cstring()
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
      // Nothing the extended protocol answers a query with (COPY goes through PGlite's own query).
      throw new Error(`unexpected message from the database: ${String.fromCharCode(code)}`)
  }
}
