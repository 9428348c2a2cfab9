// The y-websocket reference server (`@y/websocket-server` 0.1.1, its stock `setupWSConnection`),
// in memory, as its bin/server.js runs it, plus the `/bench/*` routes of bench/realtime.ts.
// Documents live at `/api/v1/docs/<name>` so the same stock WebsocketProvider URL works.
import http from 'node:http'
import { WebSocketServer } from 'ws'
import * as Y from 'yjs'
import { docs, setPersistence, setupWSConnection } from '@y/websocket-server/utils'
import { benchRoute } from './stats.js'

const stored = new Map<string, Uint8Array>()
const wss = new WebSocketServer({ noServer: true })
const server = http.createServer((request, response) => {
  const handled = benchRoute(request, response, {
    documents: () => docs.size,
    loaded: (name) => docs.has(name),
    connections: () => [...docs.values()].reduce((n, doc) => n + doc.conns.size, 0),
    // With a persistence set, the reference server unloads a document when its last client
    // leaves (writeState, then destroy); without one it never unloads. Part (c) only.
    setStore: (on) =>
      setPersistence(
        on
          ? {
              provider: null,
              bindState: async (name, doc) => {
                const state = stored.get(name)
                if (state) Y.applyUpdate(doc, state)
              },
              writeState: async (name, doc) => {
                stored.set(name, Y.encodeStateAsUpdate(doc))
              },
            }
          : null,
      ),
  })
  if (!handled) {
    response.writeHead(200, { 'content-type': 'text/plain' })
    response.end('okay')
  }
})
server.on('upgrade', (request, socket, head) => {
  const docName = decodeURIComponent((request.url ?? '').split('?')[0]!.replace(/^\/api\/v1\/docs\//, ''))
  wss.handleUpgrade(request, socket, head, (conn) => setupWSConnection(conn, request, { docName }))
})
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number }
  process.stdout.write(`BENCH READY http://127.0.0.1:${port} - memory\n`)
})
process.on('SIGTERM', () => process.exit(0))
