// The server side of bench/workview.ts: the real app (config from the environment, so
// S3_ENDPOINT switches it to the S3 driver) with hourly contracts made through the test
// fixture, listening on a free port. Prints one JSON line with what the load generator needs.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { buildApp } from '../server/app.js'
import { systemClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { createHourlyContract } from '../test/fixtures/hourly-contract.js'

const config = loadConfig()
const app = await buildApp(config)
await app.listen({ host: '127.0.0.1', port: 0 })
let counter = 0
const register = async (name = 'Bench user') => {
  counter++
  const email = `bench.${process.pid}.${counter}@example.com`
  const password = 'correct horse battery staple'
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password, name },
  })
  const body = response.json()
  return { id: body.user.id, token: body.token, email, password, name }
}
const contracts = []
for (let i = 0; i < Number(process.env.BENCH_CONTRACTS ?? 1); i++) {
  const fixture = await createHourlyContract({ app, clock: systemClock, register })
  contracts.push({
    contractId: fixture.contractId,
    clientToken: fixture.client.token,
    freelancerToken: fixture.freelancer.token,
  })
}
const port = (app.server.address() as { port: number }).port
await writeFile(
  path.join(config.dataDir, 'bench-ready.json'),
  JSON.stringify({ port, contracts, storage: config.storage.driver }),
)
process.stdout.write('ready\n')
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => void app.close().then(() => process.exit(0)))
