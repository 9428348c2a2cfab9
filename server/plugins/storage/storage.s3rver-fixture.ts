import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { S3ConnectionOptions } from './storage.s3.js'

/** What the tests use of s3rver, which ships no types. */
interface S3rver {
  run(): Promise<AddressInfo>
  close(): Promise<void>
}
type S3rverConstructor = new (options: { address: string; port: number; silent: boolean; directory: string }) => S3rver

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor

/** Anything that can run cleanup when it ends: a tap test. */
export interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * Starts an s3rver (a real S3 protocol peer, in-process) on a free port with its own temp
 * directory, and stops it when `t` ends. s3rver only accepts the key pair S3RVER/S3RVER.
 */
export async function startS3rver(t: Teardown): Promise<S3ConnectionOptions> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'workroom-s3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory })
  const { port } = await server.run()
  t.teardown(async () => {
    await server.close()
    await rm(directory, { recursive: true, force: true })
  })
  return { endpoint: `http://127.0.0.1:${port}`, accessKey: 'S3RVER', secretKey: 'S3RVER', region: 'us-east-1' }
}
