// The server side of bench/workview.ts: the real app (config from the environment, so
// S3_ENDPOINT switches it to the S3 driver) with hourly contracts made through the test
// fixture, listening on a free port. Prints one JSON line with what the load generator needs.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { buildApp } from '../server/app.js'
import { systemClock } from '../server/clock.js'
import { loadConfig } from '../server/config.js'
import { planCaptures } from '../test/fixtures/capture-plans.js'
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
  // The load generator uploads 3 screenshots (1, 3 and 5 minutes in) to each of the 10 segments
  // before now: those are their capture moments (the server gives moments only to running segments).
  const last = Math.floor(Date.now() / 600_000) * 600_000
  const plans: Record<string, string[]> = {}
  for (let back = 0; back <= 11; back++) {
    const start = last - back * 600_000
    plans[new Date(start).toISOString()] = [1, 3, 5].map((m) => new Date(start + m * 60_000).toISOString())
  }
  await planCaptures({ app }, fixture.contractId, plans)
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
