// Shared by the peer servers of bench/realtime.ts: the `/bench/*` routes the load generator
// reads (the same shape as bench/realtime-server.ts answers for Workroom).
import type { IncomingMessage, ServerResponse } from 'node:http'

export type PeerHooks = {
  documents: () => number
  connections: () => number
  /** Whether a document of this name is loaded. */
  loaded: (name: string) => boolean
  /** Part (c) only: keep each unloaded document's state in memory and load it back. */
  setStore: (on: boolean) => void
}

const gc = (globalThis as { gc?: () => void }).gc

/** Answers `/bench/*`; false for any other request. */
export function benchRoute(request: IncomingMessage, response: ServerResponse, hooks: PeerHooks): boolean {
  const url = new URL(request.url ?? '/', 'http://localhost')
  if (url.pathname === '/bench/stats') {
    if (url.searchParams.get('gc')) gc?.()
    const memory = process.memoryUsage()
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(
      JSON.stringify({
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
        documents: hooks.documents(),
        loaded: hooks.loaded(url.searchParams.get('doc') ?? ''),
        connections: hooks.connections(),
        committedChanges: 0,
        committedRows: 0,
        commits: 0,
      }),
    )
    return true
  }
  if (url.pathname === '/bench/store') {
    hooks.setStore(url.searchParams.get('on') === '1')
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end('{"ok":true}')
    return true
  }
  return false
}
