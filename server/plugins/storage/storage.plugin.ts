import fp from 'fastify-plugin'
import type { StorageConfig } from '../../config.js'
import { createDiskStore } from './storage.disk.js'
import type { FileStore } from './storage.types.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Uploaded files: local disk or an S3 bucket, per `config.storage`. */
    storage: FileStore
  }
}

/** The store the configuration names, or one given ready-made (tests); the app closes either. */
export type StoragePluginOptions = { config: StorageConfig } | { store: FileStore }

/** Opens the store the configuration names (creating the directory or bucket if missing). */
export async function createFileStore(config: StorageConfig): Promise<FileStore> {
  if (config.driver === 'disk') return createDiskStore({ dir: config.dir })
  const { endpoint, accessKey, secretKey, bucket, region } = config
  // The S3 client loads only when S3 is configured (it is the largest library of the server).
  const { createS3Store } = await import('./storage.s3.js')
  return createS3Store({ endpoint, accessKey, secretKey, bucket, region })
}

export const storagePlugin = fp<StoragePluginOptions>(
  async (app, opts) => {
    const store = 'store' in opts ? opts.store : await createFileStore(opts.config)
    app.decorate('storage', store)
    app.addHook('onClose', async () => {
      await store.close()
    })
  },
  { name: 'storage', fastify: '5.x' },
)
