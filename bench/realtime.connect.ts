// Part (e) of bench/realtime.ts: connecting. Workroom's clients do what a browser does: fetch
// a single-use ticket (POST /api/v1/realtime/tickets, signed in), then open the document's
// socket with `?ticket=`; the peers have no authentication, so their clients just connect.
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Client } from './realtime.clients.js'
import type { Run } from './realtime.workloads.js'

/**
 * Tickets over a keep-alive pool of 32 connections: thousands of clients at once would each
 * be a browser of its own, but one load generator opening thousands of TCP connections would
 * measure its own kernel work, not the server's.
 */
function ticketFetcher(base: string, token: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 })
  const url = new URL('/api/v1/realtime/tickets', base)
  const once = () =>
    new Promise<string>((resolve, reject) => {
      const request = http.request(
        url,
        { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-length': 0 } },
        (response) => {
          let body = ''
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => (body += chunk))
          response.on('end', () =>
            response.statusCode === 201
              ? resolve((JSON.parse(body) as { ticket: string }).ticket)
              : reject(new Error(`ticket: ${response.statusCode} ${body}`)),
          )
        },
      )
      request.once('error', reject)
      request.end()
    })
  // A kept-alive connection the server closed as it was reused: ask again on another.
  const ticket = async (): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once()
      } catch (err) {
        if (attempt >= 3 || (err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err
      }
    }
  }
  return { ticket, close: () => agent.destroy() }
}

/** (e) connecting: one client's handshake, 101 clients at once on one document, N documents x 2 clients at once. */
export async function connecting(run: Run): Promise<void> {
  const { kind, quick, client, result } = run
  const { base, token, stats } = run.server
  const tickets = ticketFetcher(base, token)
  /**
   * A synced client as the server's users make one: Workroom's with a fresh ticket, and, as
   * an application does, a new ticket when its socket was refused (4401: a ticket expires
   * 60 s after it was issued, and a used one cannot open another socket). Counted in `retries`.
   */
  let retries = 0
  const connect = async (docName: string): Promise<Client> => {
    for (let attempt = 0; ; attempt++) {
      const c = kind === 'workroom' ? client(docName, await tickets.ticket()) : client(docName)
      try {
        await c.synced
        return c
      } catch (err) {
        c.destroy()
        if (attempt >= 5) throw err
        retries++
      }
    }
  }
  const settle = async () => {
    for (const until = performance.now() + 20_000; (await stats()).connections > 0 && performance.now() < until;)
      await sleep(50)
  }
  let trial = 0
  const fresh = () => `bench:connect:${trial++}`

  // One client at a time, ticket in hand: on a loaded document (another client holds it), and on a new one.
  const handshake = { loaded: [] as number[], fresh: [] as number[] }
  const holder = client('bench:connect:held')
  await holder.synced
  for (let i = 0; i < (quick ? 10 : 40); i++) {
    for (const which of ['loaded', 'fresh'] as const) {
      const ticket = kind === 'workroom' ? await tickets.ticket() : undefined
      const started = performance.now()
      const c = client(which === 'loaded' ? 'bench:connect:held' : fresh(), ticket)
      await c.synced
      handshake[which].push(performance.now() - started)
      c.destroy()
    }
  }
  holder.destroy()
  await settle()

  // 101 clients at once on a new document, each fetching its ticket first; until all are synced.
  const crowd = { clients: 101, seconds: [] as number[] }
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    const docName = fresh()
    const started = performance.now()
    const clients = await Promise.all(Array.from({ length: crowd.clients }, () => connect(docName)))
    crowd.seconds.push((performance.now() - started) / 1000)
    for (const c of clients) c.destroy()
    await settle()
  }

  // N new documents x 2 clients, all at once; until all are synced.
  const many = { documents: quick ? 500 : 2000, seconds: [] as number[] }
  for (let i = 0; i < (quick ? 1 : 2); i++) {
    const started = performance.now()
    const names = Array.from({ length: many.documents }, fresh)
    const clients = await Promise.all([...names, ...names].map(connect))
    many.seconds.push((performance.now() - started) / 1000)
    for (const c of clients) c.destroy()
    await settle()
  }
  tickets.close()
  result.connect = { handshake, crowd, many, retries }
  process.stderr.write(
    `${kind}: connecting done (${retries} sockets refused and opened again with a new ticket; ${crowd.clients} clients ${crowd.seconds.map((s) => s.toFixed(2)).join('/')} s, ${many.documents} documents ${many.seconds.map((s) => s.toFixed(2)).join('/')} s)\n`,
  )
}
