import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'

/**
 * The y-websocket wire format (y-protocols PROTOCOL.md): each frame is one message, a
 * varuint type then its payload. Only what a stock WebsocketProvider speaks is accepted.
 */
export const MessageType = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const
export const SyncType = { step1: 0, step2: 1, update: 2 } as const

export type IncomingMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }

export class ProtocolError extends Error {}

/** Decodes one frame; throws ProtocolError on anything a well-behaved client never sends. */
export function decodeMessage(frame: Uint8Array): IncomingMessage {
  try {
    const decoder = decoding.createDecoder(frame)
    const type = decoding.readVarUint(decoder)
    let message: IncomingMessage
    if (type === MessageType.sync) {
      const syncType = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      if (syncType === SyncType.step1) message = { type: 'sync-step1', stateVector: payload }
      else if (syncType === SyncType.step2 || syncType === SyncType.update)
        message = { type: 'sync-update', update: payload }
      else throw new ProtocolError(`unknown sync message ${syncType}`)
    } else if (type === MessageType.awareness) {
      message = { type: 'awareness', update: decoding.readVarUint8Array(decoder) }
    } else if (type === MessageType.queryAwareness) {
      message = { type: 'query-awareness' }
    } else {
      throw new ProtocolError(`unknown message type ${type}`)
    }
    return message
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    throw new ProtocolError(`malformed frame: ${(err as Error).message}`)
  }
}

/**
 * Checks that an update decodes completely (structs and delete set) before it touches a
 * live document: a frame that would fail half-way is refused whole.
 */
export function assertValidUpdate(update: Uint8Array): void {
  try {
    Y.decodeUpdate(update)
  } catch (err) {
    throw new ProtocolError(`malformed update: ${(err as Error).message}`)
  }
}

/** Checks a state vector decodes (a SyncStep1 payload). */
export function decodeStateVector(stateVector: Uint8Array): Map<number, number> {
  try {
    return Y.decodeStateVector(stateVector)
  } catch (err) {
    throw new ProtocolError(`malformed state vector: ${(err as Error).message}`)
  }
}

export function syncStep1Message(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  syncProtocol.writeSyncStep1(encoder, doc)
  return encoding.toUint8Array(encoder)
}

export function syncStep2Message(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncType.step2)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

export function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncType.update)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

export function awarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.awareness)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** A permission-denied auth message: stock clients log the reason; our SDK surfaces it. */
export function deniedMessage(reason: string): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.auth)
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarString(encoder, reason)
  return encoding.toUint8Array(encoder)
}

/** The client ids an awareness update speaks for (to forget them when the socket closes). */
export function awarenessClients(update: Uint8Array): number[] {
  try {
    const decoder = decoding.createDecoder(update)
    const count = decoding.readVarUint(decoder)
    const clients: number[] = []
    for (let i = 0; i < count; i++) {
      clients.push(decoding.readVarUint(decoder))
      decoding.readVarUint(decoder) // clock
      JSON.parse(decoding.readVarString(decoder))
    }
    return clients
  } catch (err) {
    throw new ProtocolError(`malformed awareness update: ${(err as Error).message}`)
  }
}

export { awarenessProtocol }
