import { open } from 'node:fs/promises'
import type { Client } from 'minio'

/** S3's smallest part (and the largest object sent in one PUT, which minio buffers whole). */
export const PART_BYTES = 5 * 1024 * 1024

/**
 * Uploads a spooled file of `size` bytes as a multipart upload, one part at a time from one
 * reused buffer, so an upload's memory is one part whatever its size (minio's own
 * putObject buffers up to 64 MiB, and first lists unfinished uploads, which not every S3
 * server implements). An upload that fails is aborted, leaving no parts behind.
 */
export async function putInParts(
  client: Client,
  target: { bucket: string; key: string; headers: Record<string, string> },
  file: string,
  size: number,
): Promise<void> {
  const { bucket, key } = target
  const uploadId = await client.initiateNewMultipartUpload(bucket, key, target.headers)
  try {
    const handle = await open(file)
    const etags: Array<{ part: number; etag: string }> = []
    try {
      const buffer = Buffer.allocUnsafe(PART_BYTES)
      for (let part = 1, offset = 0; offset < size; part++) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(PART_BYTES, size - offset), offset)
        if (bytesRead === 0) throw new Error(`spool file ended at ${offset} of ${size} bytes`)
        const { etag } = await client.uploadPart(
          { bucketName: bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} },
          buffer.subarray(0, bytesRead),
        )
        etags.push({ part, etag })
        offset += bytesRead
      }
    } finally {
      await handle.close()
    }
    await client.completeMultipartUpload(bucket, key, uploadId, etags)
  } catch (err) {
    await client.abortMultipartUpload(bucket, key, uploadId).catch(() => {})
    throw err
  }
}
