import { randomUUID } from 'node:crypto'
import cookie from '@fastify/cookie'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import type { DestinationStream } from 'pino'
import { openDatabase, type DatabaseHandle } from '../db/client.js'
import { systemClock, type Clock } from './clock.js'
import type { Config } from './config.js'
import { randomIds, type IdGenerator } from './ids.js'
import { accountsModule } from './modules/accounts/accounts.plugin.js'
import { ledgerModule } from './modules/ledger/ledger.plugin.js'
import { paymentsModule } from './modules/payments/payments.plugin.js'
import { invoicesModule } from './modules/invoices/invoices.plugin.js'
import { milestonesModule } from './modules/milestones/milestones.plugin.js'
import { disputesModule } from './modules/disputes/disputes.plugin.js'
import { statusReportsModule } from './modules/status-reports/status-reports.plugin.js'
import { jobsModule } from './modules/jobs/jobs.plugin.js'
import { proposalsModule } from './modules/proposals/proposals.plugin.js'
import { contractsModule } from './modules/contracts/contracts.plugin.js'
import { workroomsModule } from './modules/workrooms/workrooms.plugin.js'
import { trackerModule } from './modules/tracker/tracker.plugin.js'
import { workviewModule } from './modules/workview/workview.plugin.js'
import { timesheetsModule } from './modules/timesheets/timesheets.plugin.js'
import { eventsModule } from './modules/events/events.plugin.js'
import { filesModule } from './modules/files/files.plugin.js'
import { messagesModule } from './modules/messages/messages.plugin.js'
import { activityModule } from './modules/activity/activity.plugin.js'
import { feedbackModule } from './modules/feedback/feedback.plugin.js'
import { reputationModule } from './modules/reputation/reputation.plugin.js'
import { settingsModule } from './modules/settings/index.js'
import { busPlugin } from './plugins/bus.js'
import { databasePlugin } from './plugins/database.js'
import { installErrorHandler } from './plugins/error-handler.js'
import { healthPlugin } from './plugins/health.js'
import { idempotencyPlugin } from './plugins/idempotency.js'
import { metricsPlugin } from './plugins/metrics.js'
import { openapiPlugin } from './plugins/openapi.js'
import { rateLimitPlugin } from './plugins/rate-limit.js'
import { schedulerPlugin } from './plugins/scheduler.js'
import { realtimePlugin } from './plugins/realtime.js'
import { contractStateModule } from './modules/contract-state/contract-state.plugin.js'
import { termsModule } from './modules/terms/terms.plugin.js'
import { socketsPlugin } from './plugins/sockets.js'
import { storagePlugin } from './plugins/storage/storage.plugin.js'
import type { FileStore } from './plugins/storage/storage.types.js'
import { installValidators } from './plugins/validation.js'
import { webPlugin } from './plugins/web.js'

export interface AppDependencies {
  clock?: Clock
  ids?: IdGenerator
  /** An opened, migrated database (tests pass a fixture); otherwise opened from config and migrated. */
  database?: DatabaseHandle
  /** A file store to use instead of the one the config names (tests). */
  storage?: FileStore
  /** Where logs go (tests capture them); stdout by default. */
  logStream?: DestinationStream
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
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token'], censor: '[redacted]' },
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

  const database = deps.database ?? (await openConfiguredDatabase(config))
  await app.register(cookie)
  await app.register(openapiPlugin)
  await app.register(databasePlugin, { handle: database, closeWithApp: !deps.database })
  await app.register(busPlugin, { redisUrl: config.redisUrl })
  await app.register(rateLimitPlugin, { redisUrl: config.redisUrl })
  await app.register(storagePlugin, deps.storage ? { store: deps.storage } : { config: config.storage })
  await app.register(metricsPlugin)
  await app.register(healthPlugin)
  await app.register(schedulerPlugin, { clock, ids, intervalMs: config.schedulerIntervalMs })
  await app.register(socketsPlugin, { maxPayload: config.wsMaxFrameBytes })
  await app.register(idempotencyPlugin, { clock })

  await app.register(accountsModule, { config, clock, ids })
  await app.register(eventsModule, { config, clock })
  await app.register(filesModule, { config, clock, ids })
  await app.register(messagesModule, { clock, ids })
  await app.register(activityModule, { clock })
  await app.register(settingsModule, { config, clock, ids })
  await app.register(ledgerModule, { clock, ids })
  await app.register(paymentsModule, { clock, ids })
  await app.register(realtimePlugin, { config, clock })
  await app.register(jobsModule, { clock, ids })
  await app.register(proposalsModule, { clock, ids })
  await app.register(contractsModule, { config, clock, ids })
  await app.register(workroomsModule)
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
  await app.register(webPlugin)

  return app
}

async function openConfiguredDatabase(config: Readonly<Config>): Promise<DatabaseHandle> {
  const handle = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.pgliteDir })
  try {
    await handle.migrate()
  } catch (err) {
    await handle.close()
    throw err
  }
  return handle
}
