// The baseline: a bare Fastify 5 route returning small JSON, as BENCH-ANCHORS.md measures it.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/', async () => ({ hello: 'world' }))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`)
