import createClient, { type Client } from 'openapi-fetch'
import type { paths } from './openapi.js'

/**
 * The typed REST client of the public API. Paths, parameters, bodies and answers are typed
 * from the server's OpenAPI document (`npm run sdk:types` regenerates `openapi.d.ts`), so a
 * route that changes shape breaks the type check of every caller.
 *
 * Browsers authenticate with the HttpOnly session cookie (sent with every request); other
 * clients pass a bearer token.
 */
export type WorkroomClient = Client<paths>

export interface ApiOptions {
  /** The server's address; empty for the page's own origin. */
  baseUrl?: string
  /** A bearer token (scripts, tests); browsers leave it out and use the cookie. */
  token?: string
  fetch?: typeof fetch
}

/** Every failed call throws this: the server's `{code, message}` (and `field` for validation errors). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field the error is about (`title`, `budgetMax`...), when the server says. */
    readonly field: string | null = null,
    readonly requestId: string | null = null,
    /** Everything else the error body carried (e.g. `retryAfter`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function createApi(options: ApiOptions = {}): WorkroomClient {
  const client = createClient<paths>({
    baseUrl: (options.baseUrl ?? '').replace(/\/+$/, ''),
    credentials: 'include',
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.fetch ? { fetch: (request: Request) => options.fetch!(request) } : {}),
  })
  return client
}

interface FetchResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/**
 * Unwraps an openapi-fetch answer: the data of a 2xx, or throws ApiError. A request that
 * never reached the server throws `network.unreachable` (status 0).
 *
 *   const job = await ok(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } }))
 */
export async function ok<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>
  try {
    result = await call
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw new ApiError(
      0,
      'network.unreachable',
      'The server could not be reached. Check your connection and try again.',
    )
  }
  if (result.response.ok) return result.data as T
  throw toApiError(result.response.status, result.error)
}

export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && typeof (body as { code?: unknown }).code === 'string') {
    const { code, message, field, requestId, ...details } = body as Record<string, unknown>
    return new ApiError(
      status,
      code as string,
      typeof message === 'string' ? message : 'Request failed',
      typeof field === 'string' ? field : null,
      typeof requestId === 'string' ? requestId : null,
      details,
    )
  }
  return new ApiError(
    status,
    status >= 500 ? 'internal' : 'request.failed',
    status >= 500 ? 'The server had a problem; try again.' : `Request failed (${status})`,
  )
}

/** A fresh Idempotency-Key for one money-moving action (reuse it when retrying that same action). */
export function idempotencyKey(): string {
  return globalThis.crypto.randomUUID()
}
