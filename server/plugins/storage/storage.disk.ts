import { randomUUID } from 'node:crypto'
import { constants } from 'node:fs'
import { access, mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { codeOf, missingAsNull, StorageInvalidKeyError, StorageNotFoundError } from './storage.errors.js'
import { assertValidKey, assertValidPrefix } from './storage.keys.js'
import { spoolToFile } from './storage.spool.js'
import type { FileStore, ListedFile, PutOptions, PutResult, StoredFileInfo } from './storage.types.js'

/** Resolves to null when the path (or one of its parents) does not exist. */
const nullIfMissing = missingAsNull(['ENOENT', 'ENOTDIR'])

export interface DiskStoreOptions {
  /** Root directory of the stored files; created if missing. */
  dir: string
}

/**
 * Stores `a/b/c` at `<dir>/a/b/c`. Writes go to a dot-named temp file beside the target and are
 * renamed over it, so readers see the old file or the new one, never half of one. The content
 * type lives in a dot-named sidecar, `.c.meta.json`. Keys cannot start a segment with a dot,
 * so neither can collide with a stored file.
 */
export async function createDiskStore({ dir }: DiskStoreOptions): Promise<FileStore> {
  const root = path.resolve(dir)
  await mkdir(root, { recursive: true })

  function pathOf(key: string): string {
    assertValidKey(key)
    const resolved = path.resolve(root, ...key.split('/'))
    // Validation already rules out escapes; this guards the root should it ever loosen.
    const relative = path.relative(root, resolved)
    if (relative === '' || relative.split(path.sep)[0] === '..' || path.isAbsolute(relative)) {
      throw new StorageInvalidKeyError(key, 'resolves outside the storage directory')
    }
    return resolved
  }

  async function put(key: string, source: Readable, opts: PutOptions): Promise<PutResult> {
    let file: string
    try {
      file = pathOf(key)
      await mkdir(path.dirname(file), { recursive: true })
    } catch (err) {
      source.destroy()
      throw err
    }
    const temp = tempPathOf(file)
    const result = await spoolToFile(source, temp, { maxBytes: opts.maxBytes, sync: true })
    try {
      await rename(temp, file)
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
    await writeContentType(file, opts.contentType)
    return result
  }

  async function get(key: string): Promise<Readable> {
    const handle = await nullIfMissing(open(pathOf(key), 'r'))
    if (!handle) throw new StorageNotFoundError(key)
    // open() succeeds on a directory (a key that is only a prefix of others): that is no file.
    if (!(await handle.stat()).isFile()) {
      await handle.close()
      throw new StorageNotFoundError(key)
    }
    return handle.createReadStream()
  }

  async function statKey(key: string): Promise<StoredFileInfo | null> {
    const file = pathOf(key)
    const info = await nullIfMissing(stat(file))
    if (!info?.isFile()) return null
    return { size: info.size, contentType: await readContentType(file) }
  }

  async function remove(key: string): Promise<void> {
    const file = pathOf(key)
    try {
      await rm(file, { force: true })
    } catch (err) {
      // A directory here holds other keys under this one as a prefix; the object itself is absent.
      if (codeOf(err) !== 'ERR_FS_EISDIR') throw err
    }
    await rm(metaPathOf(file), { force: true })
  }

  async function list(prefix: string): Promise<ListedFile[]> {
    assertValidPrefix(prefix)
    // Start at the prefix's directory; below it, keys are filtered as plain string prefixes.
    const base = prefix.slice(0, Math.max(prefix.lastIndexOf('/'), 0))
    const found: ListedFile[] = []
    await collect(base ? path.join(root, ...base.split('/')) : root, base, prefix, found)
    return found.sort((a, b) => (a.key < b.key ? -1 : 1))
  }

  return {
    put,
    get,
    stat: statKey,
    delete: remove,
    list,
    async ping() {
      await access(root, constants.R_OK | constants.W_OK)
    },
    async close() {},
  }
}

async function collect(dir: string, dirKey: string, prefix: string, found: ListedFile[]): Promise<void> {
  for (const entry of (await nullIfMissing(readdir(dir, { withFileTypes: true }))) ?? []) {
    if (entry.name.startsWith('.')) continue // temp files and sidecars
    const key = dirKey ? `${dirKey}/${entry.name}` : entry.name
    if (!key.startsWith(prefix)) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      await collect(full, key, prefix, found)
    } else if (entry.isFile()) {
      const info = await nullIfMissing(stat(full)) // null: deleted while we listed
      if (info) found.push({ key, size: info.size })
    }
  }
}

function tempPathOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`)
}

function metaPathOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.meta.json`)
}

async function writeContentType(file: string, contentType: string | undefined): Promise<void> {
  const meta = metaPathOf(file)
  if (!contentType) {
    await rm(meta, { force: true })
    return
  }
  const temp = tempPathOf(file)
  await writeFile(temp, JSON.stringify({ contentType }), { mode: 0o600 })
  await rename(temp, meta)
}

async function readContentType(file: string): Promise<string | null> {
  const text = await nullIfMissing(readFile(metaPathOf(file), 'utf8'))
  if (text === null) return null
  const { contentType } = JSON.parse(text) as { contentType?: unknown }
  return typeof contentType === 'string' ? contentType : null
}
