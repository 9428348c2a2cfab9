import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import Fastify from 'fastify'
import t from 'tap'
import { createFileStore, storagePlugin } from './storage.plugin.js'
import { startS3rver } from './storage.s3rver-fixture.js'

t.setTimeout(30_000)

t.test('the plugin decorates app.storage with the configured disk store', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workroom-storage-plugin-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(storagePlugin, { config: { driver: 'disk', dir: path.join(dir, 'files') } })
  await app.ready()
  await app.storage.ping()
  await app.storage.put('workrooms/1/files/a', Readable.from([Buffer.from('hello')]), { maxBytes: 10 })
  const reopened = await createFileStore({ driver: 'disk', dir: path.join(dir, 'files') })
  t.same(
    await reopened.list('workrooms/'),
    [{ key: 'workrooms/1/files/a', size: 5 }],
    'files land in config.storage.dir',
  )
})

t.test('a ready-made store is used as is and closed with the app', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workroom-storage-plugin-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const store = await createFileStore({ driver: 'disk', dir })
  let closed = false
  const app = Fastify()
  await app.register(storagePlugin, { store: { ...store, close: async () => void (closed = true) } })
  await app.ready()
  await app.storage.put('x', Readable.from([Buffer.from('x')]), { maxBytes: 1 })
  t.same(await store.list(''), [{ key: 'x', size: 1 }])
  await app.close()
  t.equal(closed, true)
})

t.test('createFileStore opens an S3 store for an s3 config, creating the bucket', async (t) => {
  const connection = await startS3rver(t)
  const store = await createFileStore({ driver: 's3', bucket: 'workroom-plugin', ...connection })
  t.teardown(() => store.close())
  await store.ping()
  t.same(await store.list(''), [])
})
