import { fileURLToPath } from 'node:url'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

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

// Found from this file, one folder below the project root in the source tree (server/main.ts)
// and below dist/ in the build (dist/server/main.js, beside which the build copies them):
// bundled code cannot find them from its own location.
const app = await buildApp(config, {
  migrationsFolder: fileURLToPath(new URL('../db/migrations', import.meta.url)),
  webDir: fileURLToPath(new URL('../client/web/dist', import.meta.url)),
})
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
    app.close().then(
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
