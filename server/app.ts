import { randomUUID } from 'node:crypto'
import path from 'node:path'
import cookie from '@fastify/cookie'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import type { DestinationStream } from 'pino'
import { openMigratedDatabase, type DatabaseHandle } from '../db/client.js'
import { HOUR, MINUTE, systemClock, type Clock } from './clock.js'
import type { Config } from './config.js'
import { randomIds, type IdGenerator } from './ids.js'
import { accountsModule } from './modules/accounts/index.js'
import { ledgerModule } from './modules/ledger/index.js'
import { paymentsModule } from './modules/payments/index.js'
import { invoicesModule } from './modules/invoices/index.js'
import { milestonesModule } from './modules/milestones/index.js'
import { disputesModule } from './modules/disputes/index.js'
import { statusReportsModule } from './modules/status-reports/index.js'
import { jobsModule } from './modules/jobs/index.js'
import { proposalsModule } from './modules/proposals/index.js'
import { contractsModule } from './modules/contracts/index.js'
import { workroomHubModule } from './modules/workroom-hub/index.js'
import { workroomExportModule } from './modules/workroom-export/index.js'
import { trackerModule } from './modules/tracker/index.js'
import { workviewModule } from './modules/workview/index.js'
import { timesheetsModule } from './modules/timesheets/index.js'
import { eventsModule } from './modules/events/index.js'
import { filesModule } from './modules/files/index.js'
import { messagesModule } from './modules/messages/index.js'
import { activityModule } from './modules/activity/index.js'
import { feedbackModule } from './modules/feedback/index.js'
import { notificationsModule } from './modules/notifications/index.js'
import { webhooksModule } from './modules/webhooks/index.js'
import { Reputation, reputationModule } from './modules/reputation/index.js'
import { settingsModule } from './modules/settings/index.js'
import { busPlugin } from './plugins/bus.js'
import { databasePlugin } from './plugins/database.js'
import { installErrorHandler } from './plugins/error-handler.js'
import { healthPlugin } from './plugins/health.js'
import { idempotencyPlugin } from './plugins/idempotency.js'
import { mailPlugin } from './plugins/mail.js'
import { metricsPlugin } from './plugins/metrics.js'
import { openapiPlugin } from './plugins/openapi.js'
import { rateLimitPlugin } from './plugins/rate-limit.js'
import { schedulerPlugin } from './plugins/scheduler.js'
import { securityHeadersPlugin } from './plugins/security-headers.js'
import { realtimePlugin } from './plugins/realtime.js'
import { contractStateModule } from './modules/contract-state/index.js'
import { termsModule } from './modules/terms/index.js'
import { socketsPlugin } from './plugins/sockets.js'
import { storagePlugin } from './plugins/storage/storage.plugin.js'
import type { FileStore } from './plugins/storage/storage.types.js'
import { installValidators } from './plugins/validation.js'
import { webPlugin } from './plugins/web.js'
import { signerPlugin } from './signing.js'

export interface AppDependencies {
  clock?: Clock
  ids?: IdGenerator
  /** An opened, migrated database (tests pass a fixture); otherwise opened from config and migrated. */
  database?: DatabaseHandle
  /** A file store to use instead of the one the config names (tests). */
  storage?: FileStore
  /** Where logs go (tests capture them); stdout by default. */
  logStream?: DestinationStream
  /** The migrations to apply when the app opens the database itself (the compiled server passes its copy). */
  migrationsFolder?: string
  /** The built web app, unless `config.webDir` names one (the compiled server passes its copy). */
  webDir?: string
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/

/** Builds the whole application: infrastructure plugins first, then the domain modules. */
export async function buildApp(config: Readonly<Config>, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock
  const ids = deps.ids ?? randomIds

  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(deps.logStream ? { stream: deps.logStream } : {}),
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.password',
          '*.token',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          // Short-lived WebSocket tickets travel in the query string; keep them out of logs.
          url: req.url.replace(/([?&](?:ticket|token)=)[^&]*/gi, '$1[redacted]'),
          remoteAddress: req.ip,
        }),
      },
    },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id']
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID()
    },
    requestIdHeader: false,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>()

  installValidators(app)
  installErrorHandler(app)
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id)
  })

  const database =
    deps.database ??
    (await openMigratedDatabase({
      url: config.databaseUrl,
      dataDir: config.pgliteDir,
      migrationsFolder: deps.migrationsFolder,
    }))
  await app.register(cookie)
  await app.register(securityHeadersPlugin, { https: config.publicUrl.startsWith('https:') })
  await app.register(openapiPlugin)
  await app.register(databasePlugin, { handle: database, closeWithApp: !deps.database })
  await app.register(busPlugin, { redisUrl: config.redisUrl })
  const budget = (name: string, max: number, windowMs: number, by: 'caller' | 'ip') => ({ name, max, windowMs, by })
  await app.register(rateLimitPlugin, {
    redisUrl: config.redisUrl,
    writesPerMinute: config.writesPerMinute,
    // The auth hook (accounts) runs before any route's counting and finds the caller.
    callerOf: (request) => request.session?.user.id ?? null,
    routeBudgets: {
      'POST /api/v1/auth/register': budget('registrations', config.registrationsPerHour, HOUR, 'ip'),
      'POST /api/v1/threads/:id/messages': budget('messages', config.messagesPerMinute, MINUTE, 'caller'),
      'POST /api/v1/workrooms/:id/files': budget('uploads', config.uploadsPerMinute, MINUTE, 'caller'),
      'POST /api/v1/realtime/tickets': budget('tickets', config.ticketsPerMinute, MINUTE, 'caller'),
      'GET /api/v1/events': budget('events-connect', config.wsConnectsPerMinute, MINUTE, 'ip'),
      'GET /api/v1/freelancers': budget('searches', config.searchesPerMinute, MINUTE, 'caller'),
    },
  })
  await app.register(storagePlugin, deps.storage ? { store: deps.storage } : { config: config.storage })
  await app.register(metricsPlugin, { token: config.metricsToken })
  await app.register(healthPlugin, { redis: config.redisUrl !== null })
  await app.register(schedulerPlugin, { clock, ids, intervalMs: config.schedulerIntervalMs })
  await app.register(socketsPlugin, { maxPayload: config.wsMaxFrameBytes })
  await app.register(idempotencyPlugin, { clock })
  await app.register(signerPlugin, { secretKey: config.secretKey, dataDir: config.dataDir, clock })
  await app.register(mailPlugin, {
    clock,
    ids,
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    dataDir: config.dataDir,
    pollMs: config.mailPollMs,
  })

  // Accounts first: every module relies on its auth hook. Later modules add profile fields.
  await app.register(accountsModule, { config, clock, ids, profileFields: { reputation: Reputation } })
  await app.register(eventsModule, { config, clock })
  await app.register(notificationsModule, { config, clock, ids })
  await app.register(webhooksModule, { config, clock, ids })
  await app.register(filesModule, { config, clock, ids })
  await app.register(messagesModule, { clock, ids })
  await app.register(activityModule)
  // A reader over jobs, proposals, contracts, threads and files: it uses only their code, not
  // their decorators, so it may sit here, next to the activity routes it was split from.
  await app.register(workroomExportModule, { clock })
  await app.register(settingsModule, { config, clock, ids })
  await app.register(ledgerModule, { clock, ids })
  await app.register(paymentsModule, { clock, ids })
  await app.register(realtimePlugin, { config, clock, authenticateUpgrade: app.authenticateUpgrade })
  await app.register(jobsModule, { clock, ids })
  await app.register(proposalsModule, { clock, ids })
  await app.register(contractsModule, { config, clock, ids })
  await app.register(workroomHubModule)
  await app.register(trackerModule, { config, clock, ids })
  await app.register(workviewModule, { config, clock, ids })
  await app.register(contractStateModule)
  await app.register(termsModule, { clock, ids })
  await app.register(invoicesModule, { clock, ids })
  await app.register(timesheetsModule, { config, clock, ids })
  await app.register(milestonesModule, { config, clock, ids })
  await app.register(disputesModule, { config, clock, ids })
  await app.register(statusReportsModule, { clock, ids })
  await app.register(feedbackModule, { config, clock, ids })
  await app.register(reputationModule, { config, clock, ids })
  // Last: the web app's files and page fallback never shadow an API route.
  const webDir = config.webDir ? path.resolve(config.webDir) : deps.webDir
  await app.register(webPlugin, webDir ? { distDir: webDir } : {})

  return app
}
