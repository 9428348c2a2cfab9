// `npm run db:migrate`: applies pending migrations to the configured database and exits.
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../config.js'
import { openMigratedDatabase } from '../../db/client.js'

const config = loadConfig()
const handle = await openMigratedDatabase({
  url: config.databaseUrl,
  dataDir: config.pgliteDir,
  // From this file: server/cli/ in the source tree, dist/server/cli/ in the build.
  migrationsFolder: fileURLToPath(new URL('../../db/migrations', import.meta.url)),
})
await handle.close()
process.stdout.write(`migrations applied (${handle.driver})\n`)
