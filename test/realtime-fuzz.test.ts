// 10,000+ random and malformed frames at the document endpoint: the process stays up,
// well-behaved clients are unaffected, offending sockets are closed.
import t from 'tap'
import { WebSocket } from 'ws'
import * as encoding from 'lib0/encoding'
import { build } from './helper.js'
import { createContract } from './fixtures/contract.js'
import { connectClient, listen, until } from './fixtures/realtime.js'

t.setTimeout(180_000)

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

function frames(random: () => number): Uint8Array[] {
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256))
  const message = (build: (e: encoding.Encoder) => void) => {
    const e = encoding.createEncoder()
    build(e)
    return encoding.toUint8Array(e)
  }
  const kinds: Array<() => Uint8Array> = [
    () => bytes(1 + Math.floor(random() * 64)), // random bytes
    () => Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // a varint that never ends
    () => message((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint(e, 2 ** 40))), // a huge length
    () =>
      message(
        (e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, bytes(20))),
      ), // an update of garbage
    () =>
      message(
        (e) => (
          encoding.writeVarUint(e, 0),
          encoding.writeVarUint(e, 1),
          encoding.writeVarUint8Array(e, Uint8Array.from([1, 1, 5, 0, 4]))
        ),
      ), // truncated struct
    () =>
      message(
        (e) => (
          encoding.writeVarUint(e, 0),
          encoding.writeVarUint(e, 0),
          encoding.writeVarUint8Array(e, Uint8Array.from([5, 0xff]))
        ),
      ), // broken state vector
    () => message((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 9))), // unknown sync type
    () => message((e) => encoding.writeVarUint(e, 2 + Math.floor(random() * 100))), // unknown message type
    () =>
      message(
        (e) => (
          encoding.writeVarUint(e, 1),
          encoding.writeVarUint8Array(
            e,
            message(
              (a) => (
                encoding.writeVarUint(a, 1),
                encoding.writeVarUint(a, 7),
                encoding.writeVarUint(a, 1),
                encoding.writeVarString(a, '{not json')
              ),
            ),
          )
        ),
      ), // awareness with broken JSON
    () =>
      message(
        (e) => (
          encoding.writeVarUint(e, 1),
          encoding.writeVarUint8Array(
            e,
            message((a) => encoding.writeVarUint(a, 2 ** 30)),
          )
        ),
      ), // awareness claiming a billion clients
    () => new Uint8Array(0),
  ]
  return Array.from({ length: 100 }, () => kinds[Math.floor(random() * kinds.length)]!())
}

t.test('10,000 malformed frames: nothing crashes, others are unaffected, offenders are closed', async (t) => {
  const { app, clock, register } = await build(t)
  const base = await listen(app)
  const [client, freelancer] = [await register('Client'), await register('Freelancer')]
  const { contractId } = await createContract(app, clock, { clientId: client.id, freelancerId: freelancer.id })
  const docName = `contract:${contractId}:terms`
  const a = await connectClient(base, docName, client.token)
  const b = await connectClient(base, docName, freelancer.token)
  t.teardown(() => (a.destroy(), b.destroy()))
  await Promise.all([a.synced(), b.synced()])

  const random = prng(20261126)
  let sent = 0
  const closeCodes = new Map<number, number>()
  for (let round = 0; round < 101; round++) {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/${docName}`, {
      headers: { authorization: `Bearer ${freelancer.token}` },
    })
    await new Promise<void>((resolve, reject) => (socket.once('open', () => resolve()), socket.once('error', reject)))
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
    for (const frame of frames(random)) {
      if (socket.readyState !== WebSocket.OPEN) break
      socket.send(frame, { binary: random() < 0.95 })
      sent++
    }
    // Some frames may be harmless (an empty update); then the socket is still open: close it.
    const code = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 2000))])
    if (code === -1) socket.terminate()
    closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1)
    // The real clients keep working between rounds.
    if (round % 20 === 0) {
      a.doc.getMap('alive').set('round', round)
      await until(() => b.doc.getMap('alive').get('round') === round, 5000, `round ${round} reaches the other client`)
    }
  }
  t.comment(`sent ${sent} frames on 101 sockets; close codes: ${JSON.stringify(Object.fromEntries(closeCodes))}`)
  t.ok(sent >= 10_000, `sent ${sent} frames`)
  // 4400: our protocol check; 1007: ws itself refuses a text frame that is not UTF-8.
  t.ok(
    (closeCodes.get(4400) ?? 0) + (closeCodes.get(1007) ?? 0) >= 95,
    'offending sockets were closed (4400 protocol error or 1007 bad text)',
  )
  t.equal(a.closes.length + b.closes.length, 0, 'the real clients were never disconnected')
  a.doc.getText('scope').insert(0, 'still fine ')
  await until(() => b.doc.getText('scope').toString().startsWith('still fine'), 5000, 'still editing together')
  t.equal((await fetch(`${base}/healthz`)).status, 200, 'the server is up')
})

t.test('the frame decoder refuses each of 10,000 malformed frames with a protocol error, never a crash', async (t) => {
  // On a socket, the first bad frame closes it and the rest are never read; here every
  // frame goes through the checks a socket's message handler runs.
  const { decodeMessage, assertValidUpdate, awarenessClients, ProtocolError } =
    await import('../server/realtime/protocol.js')
  const random = prng(7)
  let refused = 0
  let total = 0
  for (let i = 0; i < 120; i++) {
    for (const frame of frames(random)) {
      total++
      try {
        const message = decodeMessage(frame)
        if (message.type === 'sync-update') assertValidUpdate(message.update)
        if (message.type === 'awareness') awarenessClients(message.update)
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err
        refused++
      }
    }
  }
  t.ok(total >= 10_000, `${total} frames decoded`)
  t.ok(refused > total * 0.8, `${refused} refused with a protocol error, none crashed`)
})
