// `npm run db:migrate`: applies pending migrations to the configured database and exits.
import { loadConfig } from '../config.js'
import { openDatabase } from '../../db/client.js'

const config = loadConfig()
const handle = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.pgliteDir })
await handle.migrate()
await handle.close()
process.stdout.write(`migrations applied (${handle.driver})\n`)
