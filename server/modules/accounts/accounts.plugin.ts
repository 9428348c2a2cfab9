import type { TSchema } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import { MINUTE, type Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { UpgradeAuthenticator } from '../../http/auth.js'
import type { IdGenerator } from '../../ids.js'
import { authHook } from './accounts.auth.js'
import { createAccountsRepository } from './accounts.repository.js'
import { accountsRoutes, type PublicProfileProviders } from './accounts.routes.js'
import {
  createAccountsService,
  SESSION_REVOKED_TOPIC,
  USER_CHANGED_TOPIC,
  type AccountsService,
  type AuthenticatedSession,
  type SessionRevokedMessage,
} from './accounts.service.js'
import { adminUsersRoutes } from './accounts.admin.routes.js'
import { createRealtimeTickets } from './accounts.tickets.js'
import { createUpgradeAuthenticator } from './accounts.upgrade.js'
import { registerRecovery } from './accounts.recovery.plugin.js'
import { registerTwoFactor } from './accounts.twofactor.plugin.js'
import { CloseCode } from '../../plugins/sockets.js'

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountsService
    /** Authenticates a WebSocket upgrade (ticket, cookie or bearer; Origin allowlist). */
    authenticateUpgrade: UpgradeAuthenticator<AuthenticatedSession>
    /** Later modules set the loaders of their `profileFields` here (e.g. reputation). */
    publicProfileProviders: PublicProfileProviders
  }
}

/** Accounts, sessions and the authentication hook every other module relies on. */
export const accountsModule = fp<{
  config: Config
  clock: Clock
  ids: IdGenerator
  /** Schemas of the optional fields later modules add to `GET /api/v1/users/:id`, by name. */
  profileFields?: Readonly<Record<string, TSchema>>
}>(
  async (app, { config, clock, ids, profileFields = {} }) => {
    const repository = createAccountsRepository(app.db)
    const accounts = createAccountsService({
      repository,
      clock,
      ids,
      bus: app.bus,
      settings: config,
    })
    app.decorate('accounts', accounts)
    const tickets = createRealtimeTickets({
      signer: app.signer,
      repository,
      sessions: accounts,
      clock,
      ids,
      // PGlite's data belongs to one process: its used tickets can be remembered in that process.
      usedNonces: app.database.driver === 'pglite' ? 'memory' : 'database',
    })
    // Every socket opened with a ticket leaves its nonce behind; once the ticket has expired
    // the record refuses nothing, and without this the table grew by a row per connection.
    app.scheduler.every('accounts.expired-tickets', 10 * MINUTE, async () => {
      const deleted = await repository.deleteExpiredTickets(clock.now())
      if (deleted > 0) app.log.info({ deleted }, 'expired WebSocket tickets forgotten')
    })
    app.decorate(
      'authenticateUpgrade',
      createUpgradeAuthenticator({ accounts, tickets, allowedOrigins: config.allowedOrigins }),
    )
    // Every instance closes its own sockets of a session that ended anywhere.
    const unsubscribe = app.bus.subscribe(SESSION_REVOKED_TOPIC, (message) => {
      const { sessionId } = message as SessionRevokedMessage
      accounts.forgetCached({ sessionId })
      app.sockets.closeSession(sessionId, CloseCode.sessionEnded, 'session ended')
    })
    const unsubscribeUsers = app.bus.subscribe(USER_CHANGED_TOPIC, (message) => {
      accounts.forgetCached({ userId: (message as { userId: string }).userId })
    })
    // A revocation published while the bus was down was lost: re-check the sessions that hold sockets here.
    const stopRecheck = app.bus.onResume(() => {
      accounts.forgetAllCached()
      void (async () => {
        // A thousand sessions a query (each id is a bound parameter).
        const held = [...app.sockets.sessionIds()]
        for (let i = 0; i < held.length; i += 1000) {
          const chunk = held.slice(i, i + 1000)
          const live = await accounts.liveSessionsById(chunk)
          for (const sessionId of chunk)
            if (!live.has(sessionId)) app.sockets.closeSession(sessionId, CloseCode.sessionEnded, 'session ended')
        }
      })().catch((err: unknown) => app.log.warn({ err }, 'could not re-check sessions after the bus resumed'))
    })
    app.addHook('onClose', async () => {
      unsubscribe()
      unsubscribeUsers()
      stopRecheck()
    })
    await app.register(authHook, { accounts, allowedOrigins: config.allowedOrigins })
    // Two-factor sign-in, the session list, and each session's last-seen time.
    const twoFactor = await registerTwoFactor(app, { config, clock, ids, accounts })
    // Email verification, password reset, change of password and email.
    const recovery = await registerRecovery(app, { config, clock, ids, accounts, repository })
    const publicProfileProviders: PublicProfileProviders = {}
    app.decorate('publicProfileProviders', publicProfileProviders)
    await app.register(accountsRoutes, {
      accounts,
      tickets,
      cookieSecure: config.cookieSecure,
      signInFailures: {
        perIp: config.loginMaxFailuresPerIp,
        perEmail: config.loginMaxFailures,
        windowMs: config.loginWindowMinutes * MINUTE,
      },
      profileFields,
      profileProviders: publicProfileProviders,
      onRegistered: (user) => recovery.sendVerification(user.id),
      twoFactor,
    })
    await app.register(adminUsersRoutes, { accounts, bus: app.bus, now: () => clock.now() })
  },
  { name: 'accounts', dependencies: ['database', 'bus', 'sockets', 'rate-limit', 'mail', 'signer', 'scheduler'] },
)
