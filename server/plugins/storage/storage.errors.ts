/** Base of every storage error: a stable `code` and the HTTP status it maps to. */
export class StorageError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** The uploaded stream went past `limit` bytes; nothing was stored. */
export class StorageTooLargeError extends StorageError {
  constructor(readonly limit: number) {
    super('storage.too_large', 413, `The file is larger than the limit of ${limit} bytes`)
  }
}

/** No object is stored under `key`. */
export class StorageNotFoundError extends StorageError {
  constructor(readonly key: string) {
    super('storage.not_found', 404, 'No stored file under this key')
  }
}

/** A key or prefix that could address something outside the store. Keys come from the server, so this is a bug: 500. */
export class StorageInvalidKeyError extends StorageError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super('storage.invalid_key', 500, `Invalid storage key ${JSON.stringify(key)}: ${reason}`)
  }
}

/** The `code` a driver puts on its errors (Node's fs, the S3 client), if any. */
export function codeOf(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code
}

/** A driver's "nothing there": the returned function resolves to null when `work` fails with one of `codes`. */
export function missingAsNull(codes: readonly string[]) {
  return async <T>(work: Promise<T>): Promise<T | null> => {
    try {
      return await work
    } catch (err) {
      if (codes.includes(codeOf(err) as string)) return null
      throw err
    }
  }
}
