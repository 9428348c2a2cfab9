import { randomBytes } from 'node:crypto'
import { normalizeIP } from '@fastify/rate-limit'
import { Type } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import { Gauge } from 'prom-client'
import type * as Y from 'yjs'
import type { Clock } from '../clock.js'
import type { Config } from '../config.js'
import type { UpgradeAuthenticator } from '../http/auth.js'
import { defineErrors } from '../http/errors.js'
import { ErrorBody } from '../http/schemas.js'
import { createRealtimeEngine, type RealtimeEngine } from '../realtime/engine.js'
import type { EngineStats } from '../realtime/engine.stats.js'
import type { DocumentAccess, DocumentKind, DocumentMutation } from '../realtime/kinds.js'
import { createLocalRelay, createRedisRelay } from '../realtime/relay.js'
import { createSqlDocumentStore } from '../realtime/store.js'
import { CloseCode, releaseUpgrade } from './sockets.js'

export const realtimeErrors = defineErrors({
  upgradeRequired: [
    426,
    'realtime.upgrade_required',
    'This endpoint speaks the y-websocket protocol: open it as a WebSocket',
  ],
})

/** What modules use: register document kinds, write server documents, withdraw access. */
export interface Realtime {
  registerKind<P>(kind: DocumentKind<P>): void
  /** A server change (loads the document if needed); resolves once committed and sent to clients. */
  write(docName: string, mutate: DocumentMutation): Promise<void>
  /** Reads the committed state of a document. */
  read<T>(docName: string, read: (doc: Y.Doc) => T): Promise<T>
  /**
   * Access to documents named `match` (or starting with it when it ends with `:`) changed:
   * every instance re-runs authorize for their sockets and closes those that lost access (4003).
   */
  revokeAccess(match: string): Promise<void>
  flush(): Promise<void>
  stats(): EngineStats
  /** The engine itself (tests and benchmarks). */
  engine: RealtimeEngine
}

declare module 'fastify' {
  interface FastifyInstance {
    realtime: Realtime
  }
}

const ACCESS_TOPIC = 'realtime.access'
const matches = (match: string) => (docName: string) =>
  match.endsWith(':') ? docName.startsWith(match) : docName === match

/**
 * The document endpoint `GET /api/v1/docs/:docName` (WebSocket, y-websocket protocol) and
 * `app.realtime`. The engine lives in server/realtime; document kinds come from modules.
 */
export const realtimePlugin = fp<{
  config: Config
  clock: Clock
  /** Who opens a document socket (the accounts module authenticates; this plugin only asks). */
  authenticateUpgrade: UpgradeAuthenticator
}>(
  async (app, { config, clock, authenticateUpgrade }) => {
    const instanceId = randomBytes(8).toString('hex')
    const relay = config.redisUrl
      ? await createRedisRelay(config.redisUrl, { instanceId, log: app.log })
      : createLocalRelay()
    const engine = createRealtimeEngine({
      store: createSqlDocumentStore(app.db, clock, (text, params) => app.database.query(text, params)),
      relay,
      log: app.log,
      maxDocumentBytes: config.docMaxBytes,
      maxSendBufferBytes: config.wsSendBufferBytes,
      awarenessIntervalMs: 100,
      awarenessRenewalMs: 5000,
      unloadAfterMs: config.docUnloadAfterMs,
      compactAfterRows: config.docCompactUpdates,
      compactAfterBytes: 1024 * 1024,
      maxConcurrentLoads: 100,
    })

    const authorize = async (docName: string, userId: string): Promise<DocumentAccess | null> => {
      const resolved = engine.resolve(docName)
      if (!resolved) return null
      const access = await resolved.kind.authorize({ docName, params: resolved.params, userId })
      return access && resolved.kind.serverWritten ? 'read' : access
    }

    const unsubscribe = app.bus.subscribe(ACCESS_TOPIC, (message) => {
      const { match } = message as { match: string }
      if (typeof match !== 'string') return
      engine
        .recheckAccess(matches(match), authorize)
        .catch((err: unknown) => app.log.warn({ err }, 'realtime: access recheck failed'))
    })

    app.decorate('realtime', {
      registerKind: (kind) => engine.registerKind(kind),
      write: (docName, mutate) => engine.write(docName, mutate),
      read: (docName, read) => engine.read(docName, read),
      revokeAccess: (match) => app.bus.publish(ACCESS_TOPIC, { match }),
      flush: () => engine.flush(),
      stats: () => engine.stats(),
      engine,
    } satisfies Realtime)

    for (const [name, help, pick] of [
      ['workroom_realtime_documents', 'Shared documents loaded in memory', (s: EngineStats) => s.documents],
      ['workroom_realtime_connections', 'Open document connections', (s: EngineStats) => s.connections],
      [
        'workroom_realtime_committed_changes',
        'Document changes made durable since start',
        (s: EngineStats) => s.committedChanges,
      ],
      ['workroom_realtime_commits', 'Group commits since start', (s: EngineStats) => s.commits],
    ] as const) {
      new Gauge({
        name,
        help,
        registers: [app.metrics],
        collect() {
          this.set(pick(engine.stats()))
        },
      })
    }
    for (const [name, help, pick] of [
      [
        'workroom_realtime_commit_ms',
        'Group commit time since start (milliseconds)',
        (s: EngineStats) => s.latency.commit,
      ],
      [
        'workroom_realtime_update_ms',
        "A change's time from arrival to sent to every client, since start (milliseconds)",
        (s: EngineStats) => s.latency.update,
      ],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames: ['quantile'],
        registers: [app.metrics],
        collect() {
          const summary = pick(engine.stats())
          this.set({ quantile: '0.5' }, summary.p50)
          this.set({ quantile: '0.99' }, summary.p99)
          this.set({ quantile: '1' }, summary.max)
        },
      })
    }

    // SIGTERM: everything received is committed before the sockets close with 1012.
    app.sockets.onShutdown(() => engine.drain())
    app.addHook('onClose', async () => {
      unsubscribe()
      await engine.close()
    })

    // Connection attempts per client IP per minute. Counted after the upgrade and refused with
    // 4429: a browser cannot read the status of a refused upgrade, only a close code.
    const connectAttempt = app.createRateLimit({
      max: config.wsConnectsPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => `docs-connect:${normalizeIP(request.ip)}`,
    })

    app.route({
      method: 'GET',
      url: '/api/v1/docs/:docName',
      config: { auth: 'none' },
      schema: {
        tags: ['real time'],
        summary: 'One shared document over WebSocket (y-websocket protocol); plain HTTP answers 426',
        description:
          'Open with `new WebsocketProvider(base + "/api/v1/docs", docName, doc, { params: { ticket } })`. Close codes: 4401 not signed in, 4403 Origin not allowed, 4404 no such document or no access, 4003 access withdrawn, 4001 session ended, 4429 too many connection attempts, 4400 protocol error, 1009 frame or document too large, 4008 too slow, 1011 storage failure (reconnect), 1012 restarting (reconnect).',
        params: Type.Object({ docName: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object({ ticket: Type.Optional(Type.String({ maxLength: 256 })) }),
        response: { 426: ErrorBody },
      },
      handler: async () => {
        throw realtimeErrors.upgradeRequired()
      },
      wsHandler: (socket, request) => {
        releaseUpgrade(socket, request, app.log)
        const { docName } = request.params as { docName: string }
        void engine.accept(socket, {
          docName,
          admit: async () => {
            // The client gave up while its upgrade waited (a busy server): its socket, and the
            // address the attempt is counted by, are gone.
            // (The TCP socket goes before ws reports the close, so both are checked.)
            if (socket.readyState !== socket.OPEN || request.raw.socket.destroyed)
              return { code: 1000, reason: 'closed' }
            const attempt = await connectAttempt(request)
            if (!attempt.isAllowed && attempt.isExceeded)
              return { code: CloseCode.tooManyConnections, reason: 'too many connection attempts' }
            const auth = await authenticateUpgrade(request)
            if (!auth.ok) {
              return auth.reason === 'origin'
                ? { code: CloseCode.forbidden, reason: 'origin not allowed' }
                : { code: CloseCode.unauthorized, reason: 'sign in first' }
            }
            const access = await authorize(docName, auth.session.user.id)
            if (!access) return { code: CloseCode.notFound, reason: 'no such document' }
            // Gone while we checked: nothing to track (its close event has already fired).
            // (The TCP socket goes before ws reports the close, so both are checked.)
            if (socket.readyState !== socket.OPEN || request.raw.socket.destroyed)
              return { code: 1000, reason: 'closed' }
            app.sockets.add({
              socket,
              userId: auth.session.user.id,
              sessionId: auth.session.sessionId,
              kind: `doc:${docName}`,
            })
            return { access, userId: auth.session.user.id }
          },
        })
      },
    })
  },
  { name: 'realtime', dependencies: ['database', 'bus', 'sockets', 'metrics', 'rate-limit'] },
)
