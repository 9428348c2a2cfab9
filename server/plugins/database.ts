import fp from 'fastify-plugin'
import type { Database, DatabaseHandle } from '../../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Drizzle over PGlite or Postgres; only repositories use it. */
    db: Database
    database: DatabaseHandle
  }
}

/** Decorates the app with an opened, migrated database and closes it with the app. */
export const databasePlugin = fp<{ handle: DatabaseHandle; closeWithApp: boolean }>(
  async (app, { handle, closeWithApp }) => {
    app.decorate('db', handle.db)
    app.decorate('database', handle)
    if (closeWithApp) {
      // Last: everything else (scheduler, sockets) stops using the database first.
      app.addHook('onClose', async () => {
        await handle.close()
      })
    }
  },
  { name: 'database' },
)
