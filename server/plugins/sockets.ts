import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import websocket from '@fastify/websocket'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { WebSocket } from 'ws'

/**
 * @fastify/websocket leaves the upgrade's HTTP response assigned to the TCP socket and the
 * socket's 'error' listener holding the fastify request and reply, so every open socket kept
 * its whole HTTP request alive (headers, request and reply objects, a child logger): for a
 * loaded document with two clients, a fifth of its heap (bench/realtime). Once upgraded,
 * neither is needed: the response is detached and the listener replaced by one that does what
 * the plugin's default error handler does (log, terminate). Call it first in a wsHandler.
 *
 * A peer's protocol error (a frame over `maxPayload`, bad UTF-8, bad framing) arrives after ws
 * has started closing with the matching code (1009, 1007, 1002): terminating then would cut
 * the close frame off and the peer would see 1006, so such a socket is left to finish closing.
 */
export function releaseUpgrade(socket: WebSocket, request: FastifyRequest, log: FastifyBaseLogger): void {
  socket.removeAllListeners('error')
  socket.on('error', (err) => {
    log.debug({ err }, 'websocket error')
    if (socket.readyState !== socket.CLOSING) socket.terminate()
  })
  const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null }
  tcp._httpMessage?.detachSocket(tcp)
}

/** Close codes every WebSocket endpoint uses (4xxx are ours; 1xxx are the standard ones). */
export const CloseCode = {
  /** Session ended (logout or expiry): reconnecting needs a new sign-in. */
  sessionEnded: 4001,
  /** Access to this document or stream was withdrawn. */
  accessRevoked: 4003,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooManyConnections: 4429,
  /** A frame or a document passed its size limit. */
  tooLarge: 1009,
  /** The server is restarting: reconnect. */
  restarting: 1012,
  /** The peer could not keep up (send buffer over the limit). */
  slowConsumer: 4008,
} as const

export interface TrackedSocket {
  socket: WebSocket
  userId: string
  sessionId: string
  /** What the socket is for (`events`, `doc:<name>`), for logs and targeted closes. */
  kind: string
}

/**
 * Every open WebSocket of this instance, by session and user, so that logout or lost access
 * closes them at once, and shutdown closes them with 1012 after the flush hooks ran.
 */
export interface SocketRegistry {
  add(entry: TrackedSocket): () => void
  closeSession(sessionId: string, code: number, reason: string): number
  closeUser(userId: string, code: number, reason: string, filter?: (entry: TrackedSocket) => boolean): number
  forUser(userId: string): TrackedSocket[]
  /** The sessions that hold at least one open socket here. */
  sessionIds(): string[]
  /** Runs at shutdown before sockets are closed (e.g. flush pending document updates). */
  onShutdown(hook: () => Promise<void>): void
  size(): number
}

declare module 'fastify' {
  interface FastifyInstance {
    sockets: SocketRegistry
  }
}

export function createSocketRegistry(): SocketRegistry & { shutdown(): Promise<void> } {
  const byUser = new Map<string, Set<TrackedSocket>>()
  const hooks: Array<() => Promise<void>> = []
  const all = () => [...byUser.values()].flatMap((set) => [...set])
  const close = (entries: TrackedSocket[], code: number, reason: string) => {
    for (const entry of entries) entry.socket.close(code, reason)
    return entries.length
  }
  return {
    add(entry) {
      let set = byUser.get(entry.userId)
      if (!set) byUser.set(entry.userId, (set = new Set()))
      set.add(entry)
      const remove = () => {
        set.delete(entry)
        if (set.size === 0 && byUser.get(entry.userId) === set) byUser.delete(entry.userId)
      }
      entry.socket.once('close', remove)
      return remove
    },
    closeSession(sessionId, code, reason) {
      return close(
        all().filter((e) => e.sessionId === sessionId),
        code,
        reason,
      )
    },
    closeUser(userId, code, reason, filter = () => true) {
      return close([...(byUser.get(userId) ?? [])].filter(filter), code, reason)
    },
    forUser(userId) {
      return [...(byUser.get(userId) ?? [])]
    },
    sessionIds() {
      return [...new Set(all().map((e) => e.sessionId))]
    },
    onShutdown(hook) {
      hooks.push(hook)
    },
    size() {
      return all().length
    },
    async shutdown() {
      for (const hook of hooks) await hook()
      close(all(), CloseCode.restarting, 'server restarting')
    },
  }
}

export const socketsPlugin = fp<{ maxPayload: number }>(
  async (app, { maxPayload }) => {
    const registry = createSocketRegistry()
    app.decorate('sockets', registry)
    // Runs before @fastify/websocket's own preClose (hooks run in the order added).
    app.addHook('preClose', async () => {
      await registry.shutdown()
    })
    await app.register(websocket, { options: { maxPayload } })
  },
  { name: 'sockets' },
)
