import { ApiError, toApiError } from './api.js'

export interface UploadOptions {
  /** `/api/v1/workrooms/:id/files`, `/api/v1/contracts/:id/screenshots`... */
  url: string
  form: FormData
  /** Called as bytes leave: loaded and total in bytes. */
  onProgress?(loaded: number, total: number): void
  signal?: AbortSignal
  headers?: Record<string, string>
}

/**
 * A multipart upload with progress. Browsers use XMLHttpRequest (fetch cannot report upload
 * progress); elsewhere fetch, with one progress call at the end.
 */
export function upload<T>(options: UploadOptions): Promise<T> {
  if (typeof XMLHttpRequest === 'undefined') return uploadWithFetch<T>(options)
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', options.url)
    xhr.withCredentials = true
    for (const [name, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(name, value)
    xhr.responseType = 'text'
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded, event.total)
    }
    xhr.onload = () => {
      let body: unknown
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        body = null
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T)
      else reject(toApiError(xhr.status, body))
    }
    xhr.onerror = () =>
      reject(
        new ApiError(
          0,
          'network.unreachable',
          'The upload could not reach the server. Check your connection and try again.',
        ),
      )
    xhr.onabort = () => reject(new ApiError(0, 'upload.aborted', 'Upload cancelled'))
    options.signal?.addEventListener('abort', () => xhr.abort())
    xhr.send(options.form)
  })
}

async function uploadWithFetch<T>(options: UploadOptions): Promise<T> {
  let response: Response
  try {
    response = await fetch(options.url, {
      method: 'POST',
      body: options.form,
      credentials: 'include',
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } catch {
    throw new ApiError(0, 'network.unreachable', 'The upload could not reach the server.')
  }
  const text = await response.text()
  let body: unknown
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  if (!response.ok) throw toApiError(response.status, body)
  options.onProgress?.(1, 1)
  return body as T
}
