import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { Client } from 'minio'
import { codeOf, missingAsNull, StorageNotFoundError } from './storage.errors.js'
import { assertValidKey, assertValidPrefix } from './storage.keys.js'
import { PART_BYTES, putInParts } from './storage.s3-parts.js'
import { spoolToFile } from './storage.spool.js'
import type { FileStore, ListedFile, PutOptions, PutResult, StoredFileInfo } from './storage.types.js'

/** Resolves to null when the object does not exist (a missing bucket is still an error). */
const nullIfMissing = missingAsNull(['NoSuchKey', 'NotFound'])

export interface S3ConnectionOptions {
  /** e.g. `http://minio:9000`; the bucket is addressed path-style below it. */
  endpoint: string
  accessKey: string
  secretKey: string
  region: string
}

export interface S3StoreOptions extends S3ConnectionOptions {
  /** Created at start if missing. */
  bucket: string
  /** Where uploads are spooled before they are sent (created if missing); defaults to the OS temp directory. */
  spoolDir?: string
}

// S3 servers give an object without a Content-Type their own default (binary/octet-stream,
// application/octet-stream...). This marker lets stat() report "none given" as null everywhere.
const untypedMarker = 'workroom-untyped'

/** A minio client for `endpoint`, path-style (else Node's fetch would try `bucket.host`). */
export function createS3Client(opts: S3ConnectionOptions, transportAgent?: http.Agent): Client {
  const url = new URL(opts.endpoint)
  if (url.pathname !== '/' || url.search !== '') {
    throw new Error(`S3 endpoint ${opts.endpoint} must not have a path or query`)
  }
  const useSSL = url.protocol === 'https:'
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: opts.accessKey,
    secretKey: opts.secretKey,
    region: opts.region,
    pathStyle: true,
    ...(transportAgent ? { transportAgent } : {}),
  })
}

/** Connects, creates the bucket if missing, and returns the store. */
export async function createS3Store(opts: S3StoreOptions): Promise<FileStore> {
  const { bucket, region } = opts
  const spoolDir = opts.spoolDir ?? os.tmpdir()
  // Our own agent, so close() can drop its keep-alive sockets.
  const agent = opts.endpoint.startsWith('https:')
    ? new https.Agent({ keepAlive: true })
    : new http.Agent({ keepAlive: true })
  const client = createS3Client(opts, agent)

  try {
    await mkdir(spoolDir, { recursive: true })
    if (!(await client.bucketExists(bucket))) {
      await client.makeBucket(bucket, region).catch(async (err: unknown) => {
        // Another instance starting at the same time won the race: MinIO answers either code.
        // BucketAlreadyExists can also mean a bucket of someone else: then we cannot use it.
        const code = codeOf(err)
        if (code === 'BucketAlreadyOwnedByYou') return
        if (code === 'BucketAlreadyExists' && (await client.bucketExists(bucket))) return
        throw err
      })
    }
  } catch (err) {
    agent.destroy()
    throw err
  }

  async function put(key: string, source: Readable, putOpts: PutOptions): Promise<PutResult> {
    try {
      assertValidKey(key)
    } catch (err) {
      source.destroy()
      throw err
    }
    // Spooling first gives the size up front: a single PUT up to 5 MiB, parts above (so an
    // upload holds at most 5 MiB in memory), and an oversized or broken upload never reaches
    // the bucket.
    const spool = path.join(spoolDir, `workroom-upload-${randomUUID()}`)
    const result = await spoolToFile(source, spool, { maxBytes: putOpts.maxBytes, sync: false })
    const body = createReadStream(spool)
    try {
      const metadata = putOpts.contentType ? { 'Content-Type': putOpts.contentType } : { [untypedMarker]: 'true' }
      if (result.size > PART_BYTES) {
        const headers: Record<string, string> = putOpts.contentType
          ? { 'Content-Type': putOpts.contentType }
          : { [`X-Amz-Meta-${untypedMarker}`]: 'true' }
        await putInParts(client, { bucket, key, headers }, spool, result.size)
      } else {
        await client.putObject(bucket, key, body, result.size, metadata)
      }
    } finally {
      body.destroy()
      await rm(spool, { force: true })
    }
    return result
  }

  async function get(key: string): Promise<Readable> {
    assertValidKey(key)
    const body = await nullIfMissing(client.getObject(bucket, key))
    if (!body) throw new StorageNotFoundError(key)
    return body
  }

  async function stat(key: string): Promise<StoredFileInfo | null> {
    assertValidKey(key)
    const info = await nullIfMissing(client.statObject(bucket, key))
    if (!info) return null
    const metadata = info.metaData as Record<string, unknown>
    const contentType = metadata['content-type']
    return {
      size: info.size,
      contentType: metadata[untypedMarker] === 'true' || typeof contentType !== 'string' ? null : contentType,
    }
  }

  async function list(prefix: string): Promise<ListedFile[]> {
    assertValidPrefix(prefix)
    const found: ListedFile[] = []
    for await (const item of client.listObjectsV2(bucket, prefix, true)) {
      const { name, size } = item as { name?: string; size: number }
      if (name !== undefined) found.push({ key: name, size })
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : 1))
  }

  return {
    put,
    get,
    stat,
    async delete(key) {
      assertValidKey(key)
      await client.removeObject(bucket, key) // S3 answers 204 for a missing key too
    },
    list,
    async ping() {
      if (!(await client.bucketExists(bucket))) throw new Error(`S3 bucket ${bucket} does not exist`)
    },
    async close() {
      agent.destroy()
    },
  }
}
