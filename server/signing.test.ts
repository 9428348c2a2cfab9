import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { createTestClock, HOUR } from './clock.js'
import { createSigner, loadSigningKey } from './signing.js'

t.test('a signed token verifies for its purpose until it expires, and not once changed', async (t) => {
  const clock = createTestClock()
  const signer = createSigner(Buffer.from('k'.repeat(32)), clock)
  const token = signer.sign('verify-email', { userId: 'u1' }, new Date(clock.now().getTime() + HOUR))
  t.same(signer.verify('verify-email', token), { userId: 'u1' })
  t.equal(signer.verify('unsubscribe', token), null, 'another purpose refuses it')
  const [body, signature] = token.split('.') as [string, string]
  const forged = Buffer.from(JSON.stringify({ p: { userId: 'u2' }, e: clock.now().getTime() + HOUR })).toString(
    'base64url',
  )
  t.equal(signer.verify('verify-email', `${forged}.${signature}`), null, 'a changed payload is refused')
  t.equal(signer.verify('verify-email', `${body}.${signature.slice(0, -2)}AA`), null, 'a changed signature is refused')
  t.equal(signer.verify('verify-email', 'not a token'), null)
  const other = createSigner(Buffer.from('x'.repeat(32)), clock)
  t.equal(other.verify('verify-email', token), null, 'another key refuses it')
  clock.advance(HOUR)
  t.equal(signer.verify('verify-email', token), null, 'expired')
})

t.test('without SECRET_KEY a key is made once and kept in the data directory', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workroom-key-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const [a, b] = await Promise.all([loadSigningKey(null, dir), loadSigningKey(null, dir)])
  t.equal(a.length, 32)
  t.ok(a.equals(b), 'two starts at once agree on one key')
  t.ok((await loadSigningKey(null, dir)).equals(a), 'a restart keeps it')
  t.ok((await loadSigningKey('s'.repeat(40), dir)).equals(Buffer.from('s'.repeat(40))), 'SECRET_KEY wins')
})
