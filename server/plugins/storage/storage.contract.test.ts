import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import t from 'tap'
import { createDiskStore } from './storage.disk.js'
import { StorageInvalidKeyError, StorageNotFoundError, StorageTooLargeError } from './storage.errors.js'
import { createS3Client, createS3Store, type S3ConnectionOptions } from './storage.s3.js'
import { startS3rver, type Teardown } from './storage.s3rver-fixture.js'
import type { FileStore } from './storage.types.js'

t.setTimeout(60_000)

interface Harness {
  store: FileStore
  /** Scratch files the driver may leave behind: disk temp files, or the S3 spool directory's content. */
  scratchFiles(): Promise<string[]>
}

const drivers: Array<{ name: string; open(t: Teardown): Promise<Harness> }> = [
  {
    name: 'disk',
    async open(t) {
      const dir = await tempDir(t, 'disk')
      const store = await createDiskStore({ dir })
      t.teardown(() => store.close())
      const isScratch = (file: string) => path.basename(file).startsWith('.') && !file.endsWith('.meta.json')
      return { store, scratchFiles: async () => (await filesUnder(dir)).filter(isScratch) }
    },
  },
  {
    name: 's3 (s3rver)',
    async open(t) {
      return openS3(t, await startS3rver(t), 'workroom-contract')
    },
  },
]

const realEndpoint = process.env.S3_ENDPOINT
if (realEndpoint) {
  drivers.push({
    name: `s3 (real server at S3_ENDPOINT=${realEndpoint}, random bucket)`,
    async open(t) {
      const connection = {
        endpoint: realEndpoint,
        accessKey: process.env.S3_ACCESS_KEY ?? '',
        secretKey: process.env.S3_SECRET_KEY ?? '',
        region: process.env.S3_REGION || 'us-east-1',
      }
      const bucket = `workroom-test-${randomBytes(6).toString('hex')}`
      const harness = await openS3(t, connection, bucket)
      t.teardown(async () => {
        for (const { key } of await harness.store.list('')) await harness.store.delete(key)
        await createS3Client(connection).removeBucket(bucket)
      })
      return harness
    },
  })
}

async function openS3(t: Teardown, connection: S3ConnectionOptions, bucket: string): Promise<Harness> {
  const spoolDir = await tempDir(t, 'spool')
  const store = await createS3Store({ ...connection, bucket, spoolDir })
  t.teardown(() => store.close())
  return { store, scratchFiles: () => filesUnder(spoolDir) }
}

for (const driver of drivers) {
  t.test(driver.name, async (t) => {
    const { store, scratchFiles } = await driver.open(t)

    t.test('put then get returns the same bytes, with size and sha256', async (t) => {
      const content = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(100_000)])
      const result = await store.put('roundtrip/bin', chunked(content), { maxBytes: 1_000_000 })
      t.same(result, { size: content.length, sha256: sha256(content) })
      t.ok((await readAll(await store.get('roundtrip/bin'))).equals(content), 'bytes equal')
    })

    t.test('an empty file round-trips', async (t) => {
      t.same(await store.put('roundtrip/empty', chunked(Buffer.alloc(0)), { maxBytes: 10 }), {
        size: 0,
        sha256: sha256(Buffer.alloc(0)),
      })
      t.equal((await readAll(await store.get('roundtrip/empty'))).length, 0)
      t.same(await store.stat('roundtrip/empty'), { size: 0, contentType: null })
    })

    t.test('a 3 MiB file round-trips', async (t) => {
      const content = randomBytes(3 * 1024 * 1024)
      const result = await store.put('roundtrip/large', chunked(content), {
        maxBytes: 4 * 1024 * 1024,
        contentType: 'video/mp4',
      })
      t.same(result, { size: content.length, sha256: sha256(content) })
      const back = await readAll(await store.get('roundtrip/large'))
      t.equal(sha256(back), sha256(content))
      t.same(await store.stat('roundtrip/large'), { size: 3 * 1024 * 1024, contentType: 'video/mp4' })
    })

    t.test('a 12 MiB file (sent in parts to S3) round-trips, typed or not', async (t) => {
      const content = randomBytes(12 * 1024 * 1024 + 17)
      const options = { maxBytes: 13 * 1024 * 1024 }
      t.same(await store.put('parts/typed', chunked(content), { ...options, contentType: 'application/zip' }), {
        size: content.length,
        sha256: sha256(content),
      })
      await store.put('parts/untyped', chunked(content), options)
      for (const key of ['parts/typed', 'parts/untyped']) {
        t.equal(sha256(await readAll(await store.get(key))), sha256(content), `${key} reads back the same bytes`)
      }
      t.same(await store.stat('parts/typed'), { size: content.length, contentType: 'application/zip' })
      t.same(await store.stat('parts/untyped'), { size: content.length, contentType: null })
    })

    t.test('put overwrites content, size and content type', async (t) => {
      await store.put('overwrite/x', chunked(Buffer.from('first version, longer')), {
        maxBytes: 100,
        contentType: 'text/plain',
      })
      await store.put('overwrite/x', chunked(Buffer.from('second')), { maxBytes: 100, contentType: 'application/pdf' })
      t.equal((await readAll(await store.get('overwrite/x'))).toString(), 'second')
      t.same(await store.stat('overwrite/x'), { size: 6, contentType: 'application/pdf' })
      await store.put('overwrite/x', chunked(Buffer.from('third')), { maxBytes: 100 })
      t.same(await store.stat('overwrite/x'), { size: 5, contentType: null }, 'a put without a type clears the old one')
      t.same(await store.list('overwrite/'), [{ key: 'overwrite/x', size: 5 }])
    })

    t.test('stat reports size and content type, null for a missing key', async (t) => {
      await store.put('stat/typed', chunked(Buffer.from('{"a":1}')), { maxBytes: 100, contentType: 'application/json' })
      await store.put('stat/untyped', chunked(Buffer.from('abc')), { maxBytes: 100 })
      t.same(await store.stat('stat/typed'), { size: 7, contentType: 'application/json' })
      t.same(await store.stat('stat/untyped'), { size: 3, contentType: null })
      t.equal(await store.stat('stat/missing'), null)
      t.equal(await store.stat('stat'), null, 'a prefix of other keys is not an object')
    })

    t.test('delete removes the object and is idempotent', async (t) => {
      await store.put('delete/x', chunked(Buffer.from('bye')), { maxBytes: 100, contentType: 'text/plain' })
      await store.delete('delete/x')
      t.equal(await store.stat('delete/x'), null)
      await t.rejects(store.get('delete/x'), StorageNotFoundError)
      await t.rejects(store.get('delete/x'), { code: 'storage.not_found', statusCode: 404, key: 'delete/x' })
      await store.delete('delete/x')
      await store.delete('delete/never-existed')
      t.same(await store.list('delete/'), [])
    })

    t.test('get of a missing key throws StorageNotFoundError', async (t) => {
      await t.rejects(store.get('missing/x'), StorageNotFoundError)
    })

    t.test('list returns exactly the keys under a prefix, sorted, with sizes', async (t) => {
      const keys = ['list/a/2', 'list/a/1', 'list/a/sub/3', 'list/ab/4', 'list/b/5', 'listing/6']
      for (const [i, key] of keys.entries()) {
        await store.put(key, chunked(Buffer.alloc(i + 1)), { maxBytes: 100, contentType: 'text/plain' })
      }
      t.same(await store.list('list/a/'), [
        { key: 'list/a/1', size: 2 },
        { key: 'list/a/2', size: 1 },
        { key: 'list/a/sub/3', size: 3 },
      ])
      t.same(
        (await store.list('list/a')).map((f) => f.key),
        ['list/a/1', 'list/a/2', 'list/a/sub/3', 'list/ab/4'],
        'a prefix is a plain string prefix, as in S3',
      )
      t.same(
        (await store.list('list')).map((f) => f.key),
        ['list/a/1', 'list/a/2', 'list/a/sub/3', 'list/ab/4', 'list/b/5', 'listing/6'],
      )
      t.same(await store.list('list/none/'), [])
      t.same(await store.list('nothing-here'), [])
    })

    t.test('a too-large put throws StorageTooLargeError and leaves nothing', async (t) => {
      const limit = 200_000
      const error = await store
        .put('too-large/x', chunked(randomBytes(limit + 1), 16 * 1024), { maxBytes: limit, contentType: 'text/plain' })
        .catch((e: unknown) => e)
      t.type(error, StorageTooLargeError)
      t.match(error, { code: 'storage.too_large', statusCode: 413, limit })
      t.equal(await store.stat('too-large/x'), null)
      t.same(await store.list('too-large/'), [])
      t.same(await scratchFiles(), [], 'no temp or spool files remain')

      const exact = await store.put('too-large/exact', chunked(randomBytes(limit), 16 * 1024), { maxBytes: limit })
      t.equal(exact.size, limit, 'exactly maxBytes is accepted')
    })

    t.test('a too-large overwrite keeps the previous object', async (t) => {
      await store.put('too-large/keep', chunked(Buffer.from('original')), { maxBytes: 100, contentType: 'text/plain' })
      await t.rejects(store.put('too-large/keep', chunked(Buffer.alloc(101)), { maxBytes: 100 }), StorageTooLargeError)
      t.equal((await readAll(await store.get('too-large/keep'))).toString(), 'original')
      t.same(await store.stat('too-large/keep'), { size: 8, contentType: 'text/plain' })
      t.same(await scratchFiles(), [])
    })

    t.test('a source that errors midway leaves nothing', async (t) => {
      const source = Readable.from(
        (async function* () {
          yield Buffer.alloc(64 * 1024, 1)
          yield Buffer.alloc(64 * 1024, 2)
          throw new Error('client went away')
        })(),
      )
      await t.rejects(store.put('broken/x', source, { maxBytes: 1_000_000, contentType: 'text/plain' }), {
        message: 'client went away',
      })
      t.equal(await store.stat('broken/x'), null)
      t.same(await store.list('broken/'), [])
      t.same(await scratchFiles(), [])
    })

    t.test('a bad maxBytes is refused rather than meaning "no limit"', async (t) => {
      const source = chunked(Buffer.from('x'))
      await t.rejects(store.put('limits/x', source, { maxBytes: Number.NaN }), RangeError)
      t.ok(source.destroyed, 'the source is destroyed')
      t.equal(await store.stat('limits/x'), null)
    })

    t.test('invalid keys are refused by every method', async (t) => {
      const badKeys = [
        '../x',
        'a/../../x',
        '/abs',
        'a//b',
        'a\\b',
        'a\0b',
        '',
        'a/',
        './a',
        '.hidden',
        'a/.meta',
        'a b',
        'x'.repeat(1025),
      ]
      for (const key of badKeys) {
        const source = chunked(Buffer.from('evil'))
        await t.rejects(store.put(key, source, { maxBytes: 100 }), StorageInvalidKeyError, `put ${JSON.stringify(key)}`)
        t.ok(source.destroyed, `the source of put ${JSON.stringify(key)} is destroyed`)
        await t.rejects(store.get(key), StorageInvalidKeyError)
        await t.rejects(store.stat(key), StorageInvalidKeyError)
        await t.rejects(store.delete(key), StorageInvalidKeyError)
      }
      for (const prefix of ['../', '/', '/abs', 'a//', 'a\\', '.x']) {
        await t.rejects(store.list(prefix), { code: 'storage.invalid_key' }, `list ${JSON.stringify(prefix)}`)
      }
      t.same(await scratchFiles(), [])
    })

    t.test('ping resolves on a working store', async (t) => {
      await t.resolves(store.ping())
    })
  })
}

t.test('disk: invalid keys never touch anything outside the root', async (t) => {
  const outer = await tempDir(t, 'outer')
  const store = await createDiskStore({ dir: path.join(outer, 'root') })
  for (const key of ['../escaped', '../../escaped', 'a/../../escaped', '/tmp/escaped']) {
    await t.rejects(store.put(key, chunked(Buffer.from('evil')), { maxBytes: 100 }), StorageInvalidKeyError)
  }
  t.same(await readdir(outer), ['root'])
  t.same(await readdir(path.join(outer, 'root')), [])
})

t.test('disk: a key that is only a directory (a prefix of other keys) holds no object', async (t) => {
  const dir = await tempDir(t, 'disk-dir-key')
  const store = await createDiskStore({ dir })
  await store.put('folder/child', chunked(Buffer.from('child')), { maxBytes: 100 })
  t.equal(await store.stat('folder'), null)
  await t.rejects(store.get('folder'), StorageNotFoundError)
  await store.delete('folder')
  t.same(await store.list('folder'), [{ key: 'folder/child', size: 5 }], 'delete of the directory key removed nothing')
  await t.rejects(store.put('folder', chunked(Buffer.from('clash')), { maxBytes: 100 }), { code: 'EISDIR' })
  t.same(await filesUnder(dir), [path.join(dir, 'folder', 'child')], 'the failed rename left no temp file')
})

t.test('disk: ping fails when the directory is gone', async (t) => {
  const dir = await tempDir(t, 'disk-gone')
  const store = await createDiskStore({ dir: path.join(dir, 'files') })
  await store.ping()
  await rm(path.join(dir, 'files'), { recursive: true })
  await t.rejects(store.ping(), { code: 'ENOENT' })
})

t.test('s3: the bucket is created once; a missing bucket is an error, not a missing file', async (t) => {
  const connection = await startS3rver(t)
  const first = await createS3Store({ ...connection, bucket: 'workroom-twice' })
  const second = await createS3Store({ ...connection, bucket: 'workroom-twice' })
  t.teardown(() => Promise.all([first.close(), second.close()]))
  await second.put('x', chunked(Buffer.from('x')), { maxBytes: 10 })
  t.same(await first.list(''), [{ key: 'x', size: 1 }], 'both stores see one bucket')
  await second.delete('x')
  await createS3Client(connection).removeBucket('workroom-twice')
  await t.rejects(first.ping(), /does not exist/)
  await t.rejects(first.get('x'), { code: 'NoSuchBucket' })
  // stat() cannot tell: its HEAD answer has no body to name the missing bucket. ping() can.
})

t.test('s3: a spool directory removed under the store fails the put cleanly', async (t) => {
  const connection = await startS3rver(t)
  const spoolDir = path.join(await tempDir(t, 'spool-gone'), 'spool')
  const store = await createS3Store({ ...connection, bucket: 'workroom-spool', spoolDir })
  t.teardown(() => store.close())
  t.same(await readdir(spoolDir), [], 'the spool directory is created at start')
  await rm(spoolDir, { recursive: true })
  const source = chunked(Buffer.from('data'))
  await t.rejects(store.put('x', source, { maxBytes: 100 }), { code: 'ENOENT' })
  t.ok(source.destroyed, 'the source is destroyed')
  t.equal(await store.stat('x'), null)
})

t.test('s3: wrong keys or an endpoint with a path are refused at start', async (t) => {
  const connection = await startS3rver(t)
  const wrongKeys = { ...connection, accessKey: 'nobody', secretKey: 'nothing', bucket: 'workroom-denied' }
  await t.rejects(createS3Store(wrongKeys), { code: 'AccessDenied' })
  t.throws(() => createS3Client({ ...connection, endpoint: `${connection.endpoint}/prefix` }), /must not have a path/)
})

function chunked(content: Buffer, size = 64 * 1024): Readable {
  const chunks: Buffer[] = []
  for (let i = 0; i < content.length; i += size) chunks.push(content.subarray(i, i + size))
  return Readable.from(chunks)
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex')
}

async function tempDir(t: Teardown, name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `workroom-storage-${name}-`))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Every file below `dir`, dot-files included, as absolute paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) files.push(...(await filesUnder(full)))
    else files.push(full)
  }
  return files.sort()
}
