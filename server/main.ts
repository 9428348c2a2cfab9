import { fileURLToPath } from 'node:url'
import { openMigratedDatabase } from '../db/client.js'
import { ConfigError, loadConfig } from './config.js'

// Found from this file, one folder below the project root in the source tree (server/main.ts)
// and below dist/ in the build (dist/server/main.js, beside which the build copies them).
const migrationsFolder = fileURLToPath(new URL('../db/migrations', import.meta.url))
const webDir = fileURLToPath(new URL('../client/web/dist', import.meta.url))

let config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`workroom: bad configuration: ${err.message}\n`)
    process.exit(1)
  }
  throw err
}

// The database opens (PGlite's WebAssembly start takes the longest of a start) while the rest
// of the application's code loads: app.js is imported only after it began.
const opening = openMigratedDatabase({ url: config.databaseUrl, dataDir: config.pgliteDir, migrationsFolder })
opening.catch(() => {}) // its failure is thrown where it is awaited, below, not as an unhandled rejection
const { buildApp } = await import('./app.js')
const database = await opening
// The app leaves a database it was given open: the shutdown below closes it after the app.
const app = await buildApp(config, { database, webDir })
await app.listen({ host: config.host, port: config.port })
app.log.info(
  {
    url: config.publicUrl,
    database: app.database.driver,
    storage: config.storage.driver,
    redis: Boolean(config.redisUrl),
  },
  `Workroom is running: open ${config.publicUrl}`,
)

let closing = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: finishing requests, then closing the database')
    // Past this, a stuck close would keep the process alive forever.
    const killer = setTimeout(() => {
      app.log.error('shutdown took longer than 20 s; exiting')
      process.exit(1)
    }, 20_000).unref()
    // The database last: the app's scheduler, sockets and requests stop using it first.
    app
      .close()
      .then(() => database.close())
      .then(
        () => {
          clearTimeout(killer)
          process.exit(0)
        },
        (err: unknown) => {
          app.log.error({ err }, 'error while shutting down')
          process.exit(1)
        },
      )
  })
}
