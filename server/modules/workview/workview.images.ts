import { createRequire } from 'node:module'
import { fileTypeFromBuffer } from 'file-type'
import type { Metadata, default as Sharp } from 'sharp'
import { workviewErrors } from './workview.errors.js'

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024
export const MAX_PIXELS = 40_000_000
export const THUMBNAIL_WIDTH = 320

const formats = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' } as const
type ImageType = keyof typeof formats

export interface ImageInfo {
  contentType: ImageType
  width: number
  height: number
}

let loaded: typeof Sharp | null = null
/** libvips loads with the first screenshot, not with the server (it is a large library). */
function sharp(...args: Parameters<typeof Sharp>): ReturnType<typeof Sharp> {
  if (!loaded) {
    loaded = createRequire(import.meta.url)('sharp') as typeof Sharp
    // Every screenshot is different: libvips' operation cache would only hold memory.
    loaded.cache(false)
  }
  return loaded(...args)
}

// Every decode is capped: a header that lies about its size still cannot make libvips
// allocate more than 40 megapixels.
const open = (bytes: Buffer) => sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'warning' })

/**
 * What an upload really is, from its magic bytes and its header only: nothing is decoded
 * yet, so a decompression bomb (a tiny file declaring 10,000 x 10,000 pixels) is refused
 * before a single pixel is allocated.
 */
export async function inspectImage(bytes: Buffer): Promise<ImageInfo> {
  const detected = await fileTypeFromBuffer(bytes)
  if (!detected || !(detected.mime in formats)) throw workviewErrors.notAnImage()
  const contentType = detected.mime as ImageType
  let metadata: Metadata
  try {
    metadata = await sharp(bytes).metadata()
  } catch {
    throw workviewErrors.corruptImage()
  }
  const { width, height, format } = metadata
  if (!width || !height || format !== formats[contentType]) throw workviewErrors.corruptImage()
  if ((metadata.pages ?? 1) > 1) throw workviewErrors.notAnImage('Animated images are not screenshots')
  if (width * height > MAX_PIXELS) throw workviewErrors.tooManyPixels()
  return { contentType, width, height }
}

/** A 320 px wide WebP; decoding the whole image here also proves it is not truncated. */
export async function makeThumbnail(bytes: Buffer): Promise<Buffer> {
  try {
    return await open(bytes)
      .rotate()
      .resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer()
  } catch {
    throw workviewErrors.corruptImage()
  }
}

/** The same image blurred past reading (strength grows with size), in its own format. */
export async function blurImage(bytes: Buffer, info: ImageInfo): Promise<Buffer> {
  const sigma = Math.max(12, Math.round(Math.max(info.width, info.height) / 80))
  try {
    return await open(bytes).blur(sigma).toFormat(formats[info.contentType]).toBuffer()
  } catch {
    throw workviewErrors.corruptImage()
  }
}
