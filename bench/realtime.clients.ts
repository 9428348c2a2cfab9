// The load generator's clients of bench/realtime.ts: stock providers, as an application
// would use them against each server.
import { HocuspocusProvider } from '@hocuspocus/provider'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { Kind } from './realtime.servers.js'

/** A client the same for every server: a Y.Doc, its awareness, synced, destroy. */
export type Client = { doc: Y.Doc; awareness: Awareness | null; synced: Promise<void>; destroy(): void }

/** `BENCH_READERS_PRESENCE=off`: every client clears its presence as it is made, before its socket opens. */
const presenceOff = process.env.BENCH_READERS_PRESENCE === 'off'

export function createClients(kind: Kind, ws: string, token: string) {
  /** Workroom authenticates with a bearer header (a Node client; browsers use tickets or the cookie). */
  class BearerSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { authorization: `Bearer ${token}` } })
    }
  }

  /**
   * A stock y-websocket provider (Workroom, the reference server) or Hocuspocus's own provider.
   * `ticket`: Workroom only, the socket opens with `?ticket=` (as a browser does) instead of the bearer header.
   */
  function client(docName: string, ticket?: string): Client {
    const doc = new Y.Doc()
    if (kind === 'hocuspocus') {
      // Its provider passes the whole configuration on to the socket it manages (Node 20 has no global WebSocket).
      const provider = new HocuspocusProvider({
        url: ws,
        name: docName,
        document: doc,
        WebSocketPolyfill: WebSocket,
      } as unknown as ConstructorParameters<typeof HocuspocusProvider>[0])
      if (presenceOff) provider.awareness?.setLocalState(null)
      const synced = new Promise<void>((resolve) => {
        const done = () => {
          provider.off('synced', done)
          resolve()
        }
        provider.on('synced', done)
      })
      return {
        doc,
        awareness: provider.awareness,
        synced,
        destroy() {
          provider.destroy()
          doc.destroy()
        },
      }
    }
    const provider = new WebsocketProvider(`${ws}/api/v1/docs`, docName, doc, {
      WebSocketPolyfill: (kind === 'workroom' && !ticket
        ? BearerSocket
        : WebSocket) as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      ...(ticket ? { params: { ticket } } : {}),
    })
    if (presenceOff) provider.awareness.setLocalState(null)
    const synced = new Promise<void>((resolve, reject) => {
      provider.once('sync', () => resolve())
      // A close the provider will not retry (44xx): the bench would wait forever.
      provider.once('closed', ({ code, reason }: { code: number; reason: string }) =>
        reject(new Error(`${docName}: closed with ${code} ${reason}`)),
      )
    })
    return {
      doc,
      awareness: provider.awareness,
      synced,
      destroy() {
        provider.destroy()
        provider.awareness.destroy()
        doc.destroy()
      },
    }
  }

  return { client, BearerSocket }
}
