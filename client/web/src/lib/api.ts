import { createApi, idempotencyKey, ok } from '../../../sdk/api.js'

/** The app's one API client: same origin, session cookie. */
export const api = createApi()
export { ok, idempotencyKey }
export { ApiError } from '../../../sdk/api.js'

/** Headers for one money-moving action. */
export const idem = (key: string = idempotencyKey()) => ({ 'idempotency-key': key })
