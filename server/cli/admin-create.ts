// `npm run admin:create -- --email ops@example.com --password '...' --name Ops`
// Makes an operator account (or promotes an existing account). The public API never can.
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openMigratedDatabase } from '../../db/client.js'
import { systemClock } from '../clock.js'
import { loadConfig } from '../config.js'
import { randomIds } from '../ids.js'
import { createAccountsRepository, createAccountsService } from '../modules/accounts/index.js'

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
})
if (!values.email || !values.password || !values.name) {
  process.stderr.write("usage: npm run admin:create -- --email ops@example.com --password '...' --name Ops\n")
  process.exit(2)
}
if (values.password.length < 10) {
  process.stderr.write('the password must have at least 10 characters\n')
  process.exit(2)
}

const config = loadConfig()
const handle = await openMigratedDatabase({
  url: config.databaseUrl,
  dataDir: config.pgliteDir,
  // From this file: server/cli/ in the source tree, dist/server/cli/ in the build.
  migrationsFolder: fileURLToPath(new URL('../../db/migrations', import.meta.url)),
})
try {
  const accounts = createAccountsService({
    repository: createAccountsRepository(handle.db),
    clock: systemClock,
    ids: randomIds,
    bus: { publish: async () => {} },
    settings: config,
  })
  const user = await accounts.createOperator({ email: values.email, password: values.password, name: values.name })
  process.stdout.write(`operator ready: ${user.email} (${user.id})\n`)
} finally {
  await handle.close()
}
