/**
 * Every error a caller may see carries a stable `code` ("area.reason") and a status.
 * Modules declare theirs in `<module>.errors.ts` with `defineErrors`.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra fields merged into the body (e.g. `field`, `retryAfter`). Never internal text. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

type ErrorFactory = (message?: string, details?: Record<string, unknown>) => AppError

/** `defineErrors({ notFound: [404, 'jobs.not_found', 'Job not found'] })` */
export function defineErrors<K extends string>(
  table: Record<K, readonly [status: number, code: string, message: string]>,
): Record<K, ErrorFactory> {
  const out = {} as Record<K, ErrorFactory>
  for (const key of Object.keys(table) as K[]) {
    const [status, code, fallback] = table[key]
    out[key] = (message, details) => new AppError(status, code, message ?? fallback, details)
  }
  return out
}

export const httpErrors = defineErrors({
  unauthorized: [401, 'auth.required', 'Sign in to do this'],
  forbidden: [403, 'auth.forbidden', 'You may not do this'],
  notFound: [404, 'not_found', 'Not found'],
  badOrigin: [403, 'auth.bad_origin', 'Origin not allowed'],
  invalid: [400, 'request.invalid', 'Invalid request'],
})
