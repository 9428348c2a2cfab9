import type { Readable } from 'node:stream'

export { StorageError, StorageInvalidKeyError, StorageNotFoundError, StorageTooLargeError } from './storage.errors.js'

export interface PutOptions {
  /** Largest size accepted, in bytes; one byte more and put throws StorageTooLargeError. */
  maxBytes: number
  /** Returned by stat(); also sent as Content-Type by the S3 driver. */
  contentType?: string
}

export interface PutResult {
  size: number
  /** Hex SHA-256 of the stored bytes. */
  sha256: string
}

export interface StoredFileInfo {
  size: number
  /** The type given to put, or null when it was given none. */
  contentType: string | null
}

export interface ListedFile {
  key: string
  size: number
}

/**
 * Where uploaded files live: local disk or an S3-compatible bucket. Every method validates
 * its key (`a/b/c`, segments of `[A-Za-z0-9._-]` not starting with a dot) and throws
 * StorageInvalidKeyError otherwise.
 */
export interface FileStore {
  /**
   * Streams `source` into `key`, replacing what was there. Takes ownership of `source`: on any
   * failure (too large, source error, invalid key) it is destroyed, nothing new is left behind
   * and a previous object under `key` is untouched.
   */
  put(key: string, source: Readable, opts: PutOptions): Promise<PutResult>
  /** The stored bytes; throws StorageNotFoundError when `key` holds nothing. */
  get(key: string): Promise<Readable>
  stat(key: string): Promise<StoredFileInfo | null>
  /** Removes `key`; removing a missing key is fine. */
  delete(key: string): Promise<void>
  /** Every object whose key starts with `prefix` (a plain string prefix, as in S3), sorted by key. */
  list(prefix: string): Promise<ListedFile[]>
  /** Resolves when the store can be used; /readyz calls it. */
  ping(): Promise<void>
  close(): Promise<void>
}
