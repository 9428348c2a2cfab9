// Hocuspocus (`@hocuspocus/server` 4.7, the newest; its engines field asks for Node 22, but it
// runs on Node 20), default configuration (4.x merges the updates of one tick into one message),
// in memory, plus the `/bench/*` routes of bench/realtime.ts.
import * as Y from 'yjs'
import { Server } from '@hocuspocus/server'
import { benchRoute } from './stats.js'

const stored = new Map<string, Uint8Array>()
let store = false
const server = new Server({
  port: 0,
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: false,
  // Part (c) only: what its Database extension does (store the encoded state, debounced;
  // on unload at once), kept in a Map so the cold load reads it back.
  async onLoadDocument({ documentName, document }) {
    const state = store ? stored.get(documentName) : undefined
    if (state) Y.applyUpdate(document, state)
    return document
  },
  async onStoreDocument({ documentName, document }) {
    if (store) stored.set(documentName, Y.encodeStateAsUpdate(document))
  },
  async onRequest({ request, response }) {
    const handled = benchRoute(request, response, {
      documents: () => server.hocuspocus.getDocumentsCount(),
      loaded: (name) => server.hocuspocus.documents.has(name),
      connections: () => server.hocuspocus.getConnectionsCount(),
      setStore: (on) => {
        store = on
      },
    })
    // Rejecting with nothing stops Hocuspocus's default answer.
    if (handled) throw null
  },
})
await server.listen()
process.stdout.write(`BENCH READY http://127.0.0.1:${server.address.port} - memory\n`)
process.on('SIGTERM', () => process.exit(0))
