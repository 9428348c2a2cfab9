// 10,000+ random and malformed frames at the document endpoint: the process stays up,
// well-behaved clients are unaffected, offending sockets are closed.
import fc from 'fast-check'
import t from 'tap'
import { WebSocket } from 'ws'
import * as encoding from 'lib0/encoding'
import { build } from './helper.js'
import { createContract } from './fixtures/contract.js'
import { encodeFrame, rawUpgrade, type RawFrame } from './fixtures/raw-websocket.js'
import { connectClient, listen, until, type TestClient } from './fixtures/realtime.js'

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

/** A listening app and a contract's terms document with both parties connected and synced. */
async function editingTogether(t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const { app, clock, register, config } = await build(t, { env })
  const base = await listen(app)
  const [client, freelancer] = [await register('Client'), await register('Freelancer')]
  const { contractId } = await createContract(app, clock, { clientId: client.id, freelancerId: freelancer.id })
  const docName = `contract:${contractId}:terms`
  const a = await connectClient(base, docName, client.token)
  const b = await connectClient(base, docName, freelancer.token)
  t.teardown(() => (a.destroy(), b.destroy()))
  await Promise.all([a.synced(), b.synced()])
  return { base, config, docName, freelancer, a, b }
}

/** After the fuzz: the real clients were never disconnected, still edit together, and the server is up. */
async function stillEditing(test: Pick<typeof t, 'equal'>, base: string, a: TestClient, b: TestClient) {
  test.equal(a.closes.length + b.closes.length, 0, 'the real clients were never disconnected')
  a.doc.getText('scope').insert(0, 'still fine ')
  await until(() => b.doc.getText('scope').toString().startsWith('still fine'), 5000, 'still editing together')
  test.equal((await fetch(`${base}/healthz`)).status, 200, 'the server is up')
}

t.test('10,000 malformed frames: nothing crashes, others are unaffected, offenders are closed', async (t) => {
  const { base, docName, freelancer, a, b } = await editingTogether(t)

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
  await stillEditing(t, base, a, b)
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

t.test('a frame over the frame limit closes the socket with 1009, and the document carries on', async (t) => {
  const { base, config, docName, freelancer, a: other } = await editingTogether(t)

  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/docs/${docName}`, {
    headers: { authorization: `Bearer ${freelancer.token}` },
  })
  await new Promise<void>((resolve, reject) => (socket.once('open', () => resolve()), socket.once('error', reject)))
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
  socket.send(new Uint8Array(config.wsMaxFrameBytes + 1024 * 1024), { binary: true })
  t.equal(await closed, 1009, `a ${config.wsMaxFrameBytes + 1024 * 1024}-byte frame: close 1009 (message too big)`)

  t.equal(other.closes.length, 0, 'the other client stays connected')
  const again = await connectClient(base, docName, freelancer.token)
  t.teardown(() => again.destroy())
  await again.synced()
  other.doc.getText('scope').insert(0, 'after ')
  await until(() => again.doc.getText('scope').toString().startsWith('after'), 5000, 'the sender can come back')
})

t.test('2,000+ bad frames at the byte level (seeded): no 5xx, each offender closed with a code', async (t) => {
  const { base, docName, freelancer, a, b } = await editingTogether(t, { WS_CONNECTS_PER_MINUTE: '1000000' })

  const seed = Number(process.env.FUZZ_SEED ?? 20_261_206)
  const bytes = (max: number) => fc.uint8Array({ maxLength: max })
  // Before the frame that surely offends: pings, pongs and random binary (which may or may not).
  const before = fc.oneof(
    { arbitrary: bytes(125).map((payload): RawFrame => ({ opcode: 0x9, payload })), weight: 3 },
    { arbitrary: bytes(125).map((payload): RawFrame => ({ opcode: 0xa, payload })), weight: 3 },
    { arbitrary: bytes(200).map((payload): RawFrame => ({ opcode: 0x2, payload })), weight: 1 },
  )
  const offending: fc.Arbitrary<RawFrame[]> = fc.oneof(
    bytes(300).map((b) => [{ opcode: 0x2, payload: Uint8Array.from([0x7f, ...b]) }]), // an unknown message type
    bytes(50).map((b) => [{ opcode: 0x1, payload: Uint8Array.from([...b, 0xff, 0xfe, 0xc3]) }]), // text, not UTF-8
    bytes(50).map((payload) => [{ opcode: 0x2, payload, masked: false }]), // unmasked
    fc
      .tuple(fc.constantFrom(3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf), bytes(20))
      .map(([opcode, payload]) => [{ opcode, payload }]), // reserved opcode
    fc.tuple(fc.integer({ min: 1, max: 7 }), bytes(20)).map(([rsv, payload]) => [{ opcode: 0x2, rsv, payload }]),
    fc.uint8Array({ minLength: 126, maxLength: 400 }).map((payload) => [{ opcode: 0x9, payload }]), // control too long
    bytes(10).map((payload) => [{ opcode: 0x9, payload, fin: false }]), // fragmented control
    bytes(10).map((payload) => [{ opcode: 0x0, payload }]), // continuation of nothing
    bytes(10).map((payload) => [
      { opcode: 0x2, payload, fin: false },
      { opcode: 0x2, payload },
    ]), // a new message inside a fragmented one
    fc
      .constantFrom(0, 999, 1004, 1005, 1006, 1015, 2000, 5000, 65_535)
      .map((code) => [{ opcode: 0x8, payload: Uint8Array.from([code >> 8, code & 0xff]) }]), // invalid close code
    fc.constant<RawFrame[]>([{ opcode: 0x8, payload: Uint8Array.from([3]) }]), // one-byte close payload
    fc
      .constantFrom(2n ** 63n, 2n ** 53n, 3n * 1024n * 1024n, 2n ** 32n)
      .map((declaredLength) => [{ opcode: 0x2, payload: new Uint8Array(0), declaredLength }]), // past the limit
  )
  const auth = { authorization: `Bearer ${freelancer.token}` }
  const connection = fc.record({
    frames: fc.tuple(fc.array(before, { maxLength: 12 }), offending).map(([before, last]) => [...before, ...last]),
    path: fc.constantFrom(...Array(8).fill(`/api/v1/docs/${docName}`), '/api/v1/docs/contract:nope:terms'),
    headers: fc.constantFrom<Record<string, string>>(...Array(8).fill(auth), {}, { cookie: 'session=%ff' }),
  })

  let frames = 0
  let connections = 0
  const statuses = new Map<number, number>()
  const codes = new Map<string, number>()
  for (let batch = 0; frames < 2_000; batch++) {
    await Promise.all(
      fc.sample(connection, { seed: seed + batch, numRuns: 10 }).map(async ({ frames: sequence, path, headers }) => {
        const raw = await rawUpgrade(base, path, headers)
        connections++
        statuses.set(raw.status, (statuses.get(raw.status) ?? 0) + 1)
        if (raw.status !== 101) return raw.destroy()
        raw.write(Buffer.concat(sequence.map(encodeFrame)))
        frames += sequence.length
        const code = String(await raw.closed(3000))
        codes.set(code, (codes.get(code) ?? 0) + 1)
        raw.destroy()
      }),
    )
    if (batch % 10 === 0) {
      a.doc.getMap('alive').set('batch', batch)
      await until(() => b.doc.getMap('alive').get('batch') === batch, 5000, `batch ${batch} reaches the other client`)
    }
  }
  const fiveHundreds = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0)
  t.comment(
    `frame fuzz (seed ${seed}): ${frames} frames on ${connections} connections; upgrade 5xx = ${fiveHundreds}; upgrade answers ${JSON.stringify(Object.fromEntries(statuses))}; close codes ${JSON.stringify(Object.fromEntries(codes))}`,
  )
  t.ok(frames >= 2_000, `sent ${frames} bad frames`)
  t.equal(fiveHundreds, 0, 'no upgrade answered 5xx')
  t.same(
    [...codes.keys()].filter((code) => !['1002', '1007', '1009', '4400', '4401', '4404'].includes(code)),
    [],
    'every offending connection got a close frame: 1002 framing, 1007 bad text, 1009 too big, 4400 protocol, 4401/4404 refused',
  )
  await stillEditing(t, base, a, b)
})
