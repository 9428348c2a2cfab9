import { randomBytes } from 'node:crypto'
import { Type } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import type { WebSocket } from 'ws'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import { ErrorBody } from '../../http/schemas.js'
import { httpErrors } from '../../http/errors.js'
import { CloseCode, releaseUpgrade } from '../../plugins/sockets.js'
import { eventErrors } from './events.errors.js'
import { createPresence, type Presence } from './events.presence.js'
import { createEventsService, EVENTS_TOPIC, type EventsBusMessage, type EventsService } from './events.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The per-user event stream: `app.events.publish(userIds, { type, workroomId, data })`. */
    events: EventsService
    /** Who has no event stream open on any instance (a message then notifies them). */
    presence: Presence
  }
}

/** Open event streams one account may hold on one instance (tabs, devices). */
export const MAX_EVENT_SOCKETS_PER_USER = 20

const SOCKET_KIND = 'events'

/**
 * The event stream: WebSocket `GET /api/v1/events` (ticket, cookie or bearer; Origin
 * allowlist). A refused upgrade is answered with a plain HTTP 401/403/429 before any
 * WebSocket exists, so browsers and `ws` see the status. Events arrive as JSON text frames
 * `{type, workroomId, data, at}`; the server never expects frames from the client.
 */
export const eventsModule = fp<{ config: Config; clock: Clock }>(
  async (app, { config, clock }) => {
    const events = createEventsService({ bus: app.bus, clock, log: app.log })
    app.decorate('events', events)

    const alive = new Map<WebSocket, boolean>()
    const streamUsers = new Map<WebSocket, string>()
    const presence = createPresence({
      db: app.db,
      clock,
      instanceId: randomBytes(8).toString('hex'),
      // Three keepalive rounds: a row of a crashed instance stops counting soon after.
      ttlMs: 3 * config.wsPingIntervalMs,
      localUsers: () => [...streamUsers.values()],
    })
    app.decorate('presence', { offline: presence.offline })
    const presenceFailed = (err: unknown) => app.log.warn({ err }, 'event-stream presence not written')

    const deliver = (socket: WebSocket, text: string) => {
      if (socket.readyState !== socket.OPEN) return
      // A reader that stopped reading would otherwise make the server buffer forever.
      if (socket.bufferedAmount + Buffer.byteLength(text) > config.wsSendBufferBytes) {
        app.log.warn({ bufferedAmount: socket.bufferedAmount }, 'closing a slow event-stream consumer')
        socket.close(CloseCode.slowConsumer, 'slow consumer')
        return
      }
      socket.send(text)
    }

    const unsubscribe = app.bus.subscribe(EVENTS_TOPIC, (raw) => {
      const message = raw as EventsBusMessage
      if (!Array.isArray(message?.userIds) || !message.frame) return
      const text = JSON.stringify(message.frame)
      for (const userId of message.userIds) {
        for (const entry of app.sockets.forUser(userId)) {
          if (entry.kind === SOCKET_KIND) deliver(entry.socket, text)
        }
      }
    })

    // Events published while the bus was down are lost: every open stream is told to re-read.
    const stopResync = app.bus.onResume(() => {
      const text = JSON.stringify({ type: 'stream.resync', workroomId: null, data: {}, at: clock.now().toISOString() })
      let told = 0
      for (const socket of alive.keys()) {
        deliver(socket, text)
        told++
      }
      app.log.info({ streams: told }, 'event bus resumed: told open streams to re-read')
    })

    // Keepalive: a socket that answered no ping during a whole interval is gone (half-open
    // TCP, sleeping laptop); drop it so it stops holding buffers and registry entries.
    const pinger = setInterval(() => {
      for (const [socket, answered] of alive) {
        if (!answered) {
          socket.terminate()
          continue
        }
        alive.set(socket, false)
        socket.ping()
      }
      void presence.refresh().catch(presenceFailed)
    }, config.wsPingIntervalMs)
    pinger.unref()

    app.addHook('onClose', async () => {
      clearInterval(pinger)
      unsubscribe()
      stopResync()
      await presence.stop().catch(presenceFailed)
    })

    app.route({
      method: 'GET',
      url: '/api/v1/events',
      config: { auth: 'none' },
      schema: {
        tags: ['real time'],
        summary: 'WebSocket: the caller’s event stream (JSON frames {type, workroomId, data, at})',
        description:
          'Open with a WebSocket upgrade and `?ticket=` (from POST /api/v1/realtime/tickets), the session cookie, or a bearer header. ' +
          'Refused upgrades answer HTTP 401 (no valid credentials), 403 (Origin not allowed) or 429 (too many open streams).',
        querystring: Type.Object({ ticket: Type.Optional(Type.String({ maxLength: 256 })) }),
        response: { 401: ErrorBody, 403: ErrorBody, 426: ErrorBody, 429: ErrorBody },
      },
      preValidation: async (request) => {
        if (!request.ws) return
        const result = await app.authenticateUpgrade(request)
        if (!result.ok) throw result.reason === 'origin' ? httpErrors.badOrigin() : httpErrors.unauthorized()
        const open = app.sockets.forUser(result.session.user.id).filter((entry) => entry.kind === SOCKET_KIND).length
        if (open >= MAX_EVENT_SOCKETS_PER_USER) throw eventErrors.tooManyConnections()
        request.session = result.session
        // Written before the upgrade completes: once the client sees `open`, other instances count it online.
        await presence.opened(result.session.user.id).catch(presenceFailed)
      },
      handler: async () => {
        throw eventErrors.upgradeRequired()
      },
      wsHandler: (socket, request) => {
        releaseUpgrade(socket, request, app.log)
        const session = request.session
        if (!session) {
          socket.close(CloseCode.unauthorized, 'unauthorized')
          return
        }
        // Registered synchronously, before the client sees the upgrade complete: once its
        // `open` fires, every event published for this user reaches it.
        app.sockets.add({ socket, userId: session.user.id, sessionId: session.sessionId, kind: SOCKET_KIND })
        alive.set(socket, true)
        socket.on('pong', () => alive.set(socket, true))
        socket.on('message', () => alive.set(socket, true))
        streamUsers.set(socket, session.user.id)
        socket.on('close', () => {
          alive.delete(socket)
          streamUsers.delete(socket)
          void presence.closed(session.user.id).catch(presenceFailed)
        })
      },
    })
  },
  { name: 'events', dependencies: ['accounts', 'bus', 'sockets'] },
)
